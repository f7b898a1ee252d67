-- Fails for usage rated or invoiced for a period its contract does not cover
-- ([starts_on, ends_on) must overlap [period_start, period_end)).
with

contracts as (

    select * from {{ ref('stg_contracts') }}

),

rated_usage as (

    select * from {{ ref('fct_rated_usage') }}

),

invoice_lines as (

    select * from {{ ref('fct_invoice_lines') }}

),

charged as (

    select
        'fct_rated_usage' as source_model,
        contract_id,
        period_start,
        period_end
    from rated_usage
    union all
    select
        'fct_invoice_lines' as source_model,
        contract_id,
        period_start,
        period_end
    from invoice_lines
    where contract_id is not null

)

select
    charged.source_model,
    charged.contract_id,
    charged.period_start,
    contracts.starts_on,
    contracts.ends_on
from charged
left join contracts
    on charged.contract_id = contracts.contract_id
where
    contracts.contract_id is null
    or charged.period_end <= contracts.starts_on
    or charged.period_start >= coalesce(contracts.ends_on, charged.period_end)

{#- columns added in v1.1 (data contract 7) are optional in the seed file -#}
{%- set seed_columns = meterline.seed_column_names(ref('contracts')) -%}

with

source as (

    select * from {{ ref('contracts') }}

),

renamed as (

    select
        -- ids
        cast(contract_id as {{ dbt.type_string() }}) as contract_id,
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(plan_id as {{ dbt.type_string() }}) as plan_id,

        -- numerics
        -- a value the engine cannot hold exactly is null here; the seed's test names it
        {{ meterline.seed_value('minimum_commitment', 'money') }} as minimum_commitment,
        {{ meterline.seed_value('discount_percent', 'percent') }} as discount_percent,

        -- dates
        cast(starts_on as date) as starts_on,
        cast(ends_on as date) as ends_on,

        -- billing cadence (data contract 7.1; macros/billing/billing_periods.sql)
        -- an unknown frequency is kept as written: the seed's test names it
        cast(
            coalesce(
                {{ meterline.optional_seed_column(seed_columns, 'bill_frequency', dbt.type_string()) }}, 'month'
            ) as {{ dbt.type_string() }}
        ) as configured_bill_frequency,
        cast(
            coalesce(
                {{ meterline.optional_seed_column(seed_columns, 'bill_anchor_on', 'date') }},
                {{ meterline.default_bill_anchor() }}
            ) as date
        ) as bill_anchor_on
    from source

),

cadenced as (

    select
        -- ids
        contract_id,
        account_id,
        plan_id,

        -- numerics
        minimum_commitment,
        discount_percent,

        -- dates
        starts_on,
        ends_on,

        -- billing cadence
        case
            when lower(configured_bill_frequency) in ('month', 'quarter', 'year')
                then lower(configured_bill_frequency)
            else configured_bill_frequency
        end as bill_frequency,
        bill_anchor_on
    from renamed

),

final as (

    select
        *,
        {{ meterline.bill_frequency_months('bill_frequency') }} as period_months
    from cadenced

)

select * from final

{{ config(
    materialized=meterline.event_path_materialization(),
    incremental_strategy='append',
    on_schema_change='fail',
) }}

{#- Incremental (append): an accepted event is placed in its account's calendar and
    contract once, in the run that accepts it. -#}

with

deduplicated as (

    select * from {{ ref('int_events_deduplicated') }}
    where {{ meterline.new_batches_filter('batch_loaded_at') }}

),

accounts as (

    select * from {{ ref('stg_accounts') }}

),

contracts as (

    select * from {{ ref('stg_contracts') }}

),

accepted as (

    select * from deduplicated
    where dedupe_status = 'accepted'

),

localized as (

    select
        accepted.*,
        accounts.billing_timezone,
        {{ meterline.utc_to_local('accepted.occurred_at', 'accounts.billing_timezone') }} as occurred_local_at
    from accepted
    inner join accounts
        on accepted.account_id = accounts.account_id

),

dated as (

    select
        *,
        cast(occurred_local_at as date) as usage_date,
        cast({{ dbt.date_trunc('month', 'occurred_local_at') }} as date) as period_start
    from localized

),

periods as (

    select
        *,
        cast({{ dbt.dateadd('month', 1, 'period_start') }} as date) as period_end
    from dated

),

with_contract as (

    select
        -- ids
        periods.record_id,
        periods.source,
        periods.event_id,
        periods.account_id,
        periods.event_type,
        contracts.contract_id,
        contracts.plan_id,

        -- timestamps
        periods.occurred_at,
        periods.billing_timezone,
        periods.occurred_local_at,

        -- dates (billing time zone)
        periods.usage_date,
        periods.period_start,
        periods.period_end,

        -- payload
        periods.properties,
        periods.payload_hash,

        -- landing
        periods.file_name,
        periods.line_number,
        periods.file_landed_at,
        periods.batch_loaded_at
    from periods
    left join contracts
        on
            periods.account_id = contracts.account_id
            and periods.usage_date >= contracts.starts_on
            and (contracts.ends_on is null or periods.usage_date < contracts.ends_on)

)

select * from with_contract

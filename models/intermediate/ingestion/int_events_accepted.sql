{{ config(
    materialized=meterline.event_path_materialization(),
    incremental_strategy='append',
    on_schema_change='fail',
) }}

{#- Incremental (append): an accepted event is placed in its account's calendar, its
    contract and that contract's billing period once, in the run that accepts it. -#}

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
        cast(occurred_local_at as date) as usage_date
    from localized

),

with_contract as (

    select
        dated.*,
        contracts.contract_id,
        contracts.plan_id,
        -- the contract's billing cadence; without a contract, v1's calendar months
        case
            when contracts.contract_id is null then {{ meterline.default_bill_anchor() }}
            else contracts.bill_anchor_on
        end as bill_anchor_on,
        case when contracts.contract_id is null then 1 else contracts.period_months end as period_months
    from dated
    left join contracts
        on
            dated.account_id = contracts.account_id
            and dated.usage_date >= contracts.starts_on
            and (contracts.ends_on is null or dated.usage_date < contracts.ends_on)

),

-- the billing period containing the event's day (macros/billing/billing_periods.sql)
indexed as (

    select
        *,
        {{ meterline.billing_period_index('usage_date', 'bill_anchor_on', 'period_months') }} as period_index
    from with_contract

),

final as (

    select
        -- ids
        record_id,
        source,
        event_id,
        account_id,
        event_type,
        contract_id,
        plan_id,

        -- timestamps
        occurred_at,
        billing_timezone,
        occurred_local_at,

        -- dates (billing time zone)
        usage_date,
        {{ meterline.billing_period_start('bill_anchor_on', 'period_months', 'period_index') }} as period_start,
        {{ meterline.billing_period_start('bill_anchor_on', 'period_months', 'period_index + 1') }} as period_end,

        -- payload
        properties,
        payload_hash,

        -- landing
        file_name,
        line_number,
        file_landed_at,
        batch_loaded_at
    from indexed

)

select * from final

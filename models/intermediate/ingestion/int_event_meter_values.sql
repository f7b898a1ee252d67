{{ config(
    materialized=meterline.event_path_materialization(),
    incremental_strategy='append',
    on_schema_change='fail',
) }}

{#- Incremental (append): the readings of the events accepted in new batches. -#}

with

accepted as (

    select * from {{ ref('int_events_accepted') }}
    where
        {{ meterline.new_batches_filter('batch_loaded_at') }}
        -- no local date: the account's billing_timezone is unknown (stg_accounts); such events
        -- are read by no meter and listed in audit_unrated_events (unknown_billing_timezone)
        and usage_date is not null

),

readings as (

    select * from {{ ref('int_event_meter_readings') }}
    where {{ meterline.new_batches_filter('batch_loaded_at') }}

),

joined as (

    select
        -- ids
        accepted.record_id,
        accepted.source,
        accepted.event_id,
        accepted.account_id,
        accepted.contract_id,
        accepted.plan_id,
        readings.meter_id,
        readings.aggregation,

        -- group
        readings.dimension_value,

        -- values
        readings.has_value,
        readings.value,
        readings.value_text,

        -- timestamps and dates
        accepted.occurred_at,
        accepted.usage_date,
        accepted.period_start,
        accepted.period_end,
        accepted.file_landed_at,
        accepted.batch_loaded_at
    from accepted
    inner join readings
        on accepted.record_id = readings.record_id

)

select * from joined

with

accepted as (

    select * from {{ ref('int_events_accepted') }}

),

readings as (

    select * from {{ ref('int_event_meter_readings') }}

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
        accepted.file_landed_at
    from accepted
    inner join readings
        on accepted.record_id = readings.record_id

)

select * from joined

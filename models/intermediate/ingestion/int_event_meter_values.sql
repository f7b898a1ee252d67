{{ config(materialized='view') }}

{#- A view over the event path's one write (int_events_classified): every reading of an
    accepted event with a local date. -#}

with

classified as (

    select * from {{ ref('int_events_classified') }}

),

readings as (

    select
        -- ids
        record_id,
        source,
        event_id,
        account_id,
        contract_id,
        plan_id,
        meter_id,
        aggregation,

        -- group
        dimension_value,

        -- values
        has_value,
        value,
        value_text,

        -- timestamps and dates
        occurred_at,
        usage_date,
        period_start,
        period_end,
        file_landed_at,
        batch_loaded_at
    from classified
    where meter_id is not null

)

select * from readings

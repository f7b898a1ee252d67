{{ config(materialized='view') }}

{#- A view over the event path's one write (int_events_classified): every accepted event,
    placed. -#}

with

classified as (

    select * from {{ ref('int_events_classified') }}

),

accepted as (

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
        period_start,
        period_end,

        -- payload
        properties,
        payload_hash,

        -- landing
        file_name,
        line_number,
        file_landed_at,
        batch_loaded_at
    from classified
    where reading_number = 1 and dedupe_status = 'accepted'

)

select * from accepted

{{ config(materialized='view') }}

{#- The accepted events, placed in their account's billing calendar when they were accepted.
    A view over int_events_classified, which holds the placement. -#}

with

classified as (

    select * from {{ ref('int_events_classified') }}

),

accepted as (

    select * from classified
    where dedupe_status = 'accepted'

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
    from accepted

)

select * from final

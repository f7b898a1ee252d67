{{ config(materialized='view') }}

{#- The dedupe step: every valid record with its dedupe outcome, as decided when it was
    loaded. A view over int_events_classified, which holds the decision. -#}

with

classified as (

    select * from {{ ref('int_events_classified') }}

),

valid_records as (

    -- quarantined records take no part in dedupe
    select * from classified
    where is_valid

),

final as (

    select
        -- ids
        record_id,
        source,
        event_id,
        account_id,
        event_type,

        -- landing
        file_name,
        line_number,
        file_landed_at,
        batch_loaded_at,
        -- the landed text, kept for duplicate and conflict copies
        raw_record,

        -- event
        occurred_at_raw,
        occurred_at,
        properties,
        payload_hash,

        -- validation
        quarantine_reason,
        is_valid,

        -- dedupe
        copy_number,
        winning_record_id,
        winning_file_name,
        winning_line_number,
        dedupe_status
    from valid_records

)

select * from final

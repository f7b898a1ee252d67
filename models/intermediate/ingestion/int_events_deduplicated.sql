{{ config(materialized='view') }}

{#- A view over the event path's one write (int_events_classified): every valid record with
    its dedupe outcome. -#}

with

classified as (

    select * from {{ ref('int_events_classified') }}

),

deduplicated as (

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
    from classified
    where reading_number = 1 and is_valid

)

select * from deduplicated

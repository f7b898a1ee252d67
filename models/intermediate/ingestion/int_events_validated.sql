{{ config(materialized='view') }}

{#- A view over the event path's one write (int_events_classified): every landed record with
    the validation decided when it was loaded. -#}

with

classified as (

    select * from {{ ref('int_events_classified') }}

),

validated as (

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
        -- the landed text, kept here for quarantined records
        case when not is_valid then raw_record end as raw_record,

        -- event
        occurred_at_raw,
        occurred_at,
        properties,
        payload_hash,

        -- validation
        quarantine_reason,
        quarantine_detail,
        is_valid
    from classified
    where reading_number = 1

)

select * from validated

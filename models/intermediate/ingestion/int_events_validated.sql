{{ config(materialized='view') }}

{#- The validation step: every landed record with its quarantine reason, as decided when it
    was loaded. A view over int_events_classified, which holds the decision. -#}

with

classified as (

    select * from {{ ref('int_events_classified') }}

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
        -- the landed text, kept for quarantined records
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

)

select * from final

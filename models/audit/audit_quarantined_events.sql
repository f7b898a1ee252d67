{{ config(materialized='view') }}

{#- A view over the event path's one write (int_events_classified, DECISIONLOG "One write per
    record"): nothing to rebuild on a daily run. -#}

with

validated as (

    select * from {{ ref('int_events_validated') }}

),

quarantined as (

    select
        -- ids
        record_id,

        -- landing
        file_name,
        line_number,
        file_landed_at,
        raw_record,

        -- reason
        quarantine_reason as reason,
        quarantine_detail as detail,

        -- parsed, when available
        event_id,
        source,
        account_id
    from validated
    where not is_valid

)

select * from quarantined

{{ config(materialized='view') }}

{#- A view over the event path's one write (int_events_classified, DECISIONLOG "One write per
    record"): nothing to rebuild on a daily run. -#}

with

deduplicated as (

    select * from {{ ref('int_events_deduplicated') }}

),

losers as (

    select
        -- ids
        record_id,
        source,
        event_id,

        -- classification
        dedupe_status as duplicate_type,

        -- landing
        file_name,
        line_number,
        file_landed_at,
        raw_record,

        -- the record that counts
        winning_record_id,
        winning_file_name,
        winning_line_number
    from deduplicated
    where dedupe_status in ('duplicate', 'conflict')

)

select * from losers

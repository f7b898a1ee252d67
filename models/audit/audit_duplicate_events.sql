{{ config(
    materialized=meterline.event_path_materialization(),
    incremental_strategy='append',
    on_schema_change='append_new_columns',
) }}

{#- Incremental (append; a table rebuilt every run where the engine lacks it): a run adds the
    records of the batches after the latest one listed here (a record's outcome never changes
    once decided: DECISIONLOG "Validation is decided once", "Dedupe horizon: 35 days"). -#}

with

deduplicated as (

    select * from {{ ref('int_events_deduplicated') }}
    where {{ meterline.new_batches_filter('batch_loaded_at') }}

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
        winning_line_number,

        -- batch
        batch_loaded_at
    from deduplicated
    where dedupe_status in ('duplicate', 'conflict')

)

select * from losers

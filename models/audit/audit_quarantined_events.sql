{{ config(
    materialized=meterline.event_path_materialization(),
    incremental_strategy='append',
    on_schema_change='append_new_columns',
) }}

{#- Incremental (append; a table rebuilt every run where the engine lacks it): a run adds the
    records of the batches after the latest one listed here (a record's outcome never changes
    once decided: DECISIONLOG "Validation is decided once", "Dedupe horizon: 35 days"). -#}

with

validated as (

    select * from {{ ref('int_events_validated') }}
    where {{ meterline.new_batches_filter('batch_loaded_at') }}

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
        account_id,

        -- batch
        batch_loaded_at
    from validated
    where not is_valid

)

select * from quarantined

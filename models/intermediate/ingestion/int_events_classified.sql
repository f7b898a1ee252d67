{{ config(
    materialized=meterline.event_path_materialization(),
    incremental_strategy='append',
    on_schema_change='fail',
) }}

{#- The one write of the event path (DECISIONLOG "One write per record"): every landed record
    once, with what was decided about it in the run that loaded it (validation, dedupe,
    placement) and, for an accepted event, its meter readings. The steps are views before
    it (int_event_checks, int_event_dedupe, int_event_placement, int_event_meter_readings:
    the records not taken in yet) and after it (int_events_validated, int_events_deduplicated,
    int_events_accepted, int_event_meter_values: every record, as decided).

    Incremental (append). A full build reads every landed record; it must rebuild the views
    before it in the same run (they read the batches after the latest one this table held
    when they were built). -#}

{%- if execute and flags.WHICH in ['build', 'run', 'retry'] and not is_incremental() -%}
    {%- for step in ['int_event_meter_readings', 'int_event_checks', 'int_event_dedupe', 'int_event_placement'] -%}
        {%- if 'model.meterline.' ~ step not in selected_resources -%}
            {{ exceptions.raise_compiler_error(
                "int_events_classified is being built in full but its step " ~ step ~ " is not "
                ~ "selected: it may still read only the batches after an earlier watermark. "
                ~ "Build them together, e.g. dbt build --select +int_events_classified --full-refresh"
            ) }}
        {%- endif -%}
    {%- endfor -%}
{%- endif %}

with

placed as (

    -- every record of the batches not taken in yet, decided and placed
    select * from {{ ref('int_event_placement') }}
    where {{ meterline.new_batches_filter('batch_loaded_at') }}

),

readings as (

    select * from {{ ref('int_event_meter_readings') }}
    where {{ meterline.new_batches_filter('batch_loaded_at') }}

),

-- a record with several readings (several meters read its event type) is numbered on the
-- narrow readings, not on the wide joined rows
numbered_readings as (

    select
        record_id,
        meter_id,
        aggregation,
        dimension_value,
        has_value,
        value,
        value_text,
        row_number() over (partition by record_id order by meter_id) as reading_number
    from readings

),

-- an accepted event with a local date has one row per meter reading it; every other record
-- (quarantined, duplicate, conflict, no meter, unknown time zone) has one row without one
numbered as (

    select
        placed.*,
        -- the record's first row carries it in the record-level views
        coalesce(numbered_readings.reading_number, 1) as reading_number,
        numbered_readings.meter_id,
        numbered_readings.aggregation,
        numbered_readings.dimension_value,
        numbered_readings.has_value,
        numbered_readings.value,
        numbered_readings.value_text
    from placed
    left join numbered_readings
        on
            placed.record_id = numbered_readings.record_id
            and placed.dedupe_status = 'accepted'
            and placed.usage_date is not null

),

final as (

    select
        -- ids
        record_id,
        cast(reading_number as bigint) as reading_number,
        source,
        event_id,
        account_id,
        event_type,
        contract_id,
        plan_id,
        meter_id,

        -- landing
        file_name,
        line_number,
        file_landed_at,
        batch_loaded_at,
        -- the landed text, kept for quarantined records and duplicate and conflict copies
        raw_record,

        -- event
        occurred_at_raw,
        occurred_at,
        properties,
        payload_hash,

        -- validation
        quarantine_reason,
        quarantine_detail,
        is_valid,

        -- dedupe (valid records)
        copy_number,
        winning_record_id,
        winning_file_name,
        winning_line_number,
        dedupe_status,

        -- placement (accepted events)
        billing_timezone,
        occurred_local_at,
        usage_date,
        period_start,
        period_end,

        -- the meter reading (accepted events with a local date)
        aggregation,
        dimension_value,
        has_value,
        value,
        value_text
    from numbered

)

select * from final

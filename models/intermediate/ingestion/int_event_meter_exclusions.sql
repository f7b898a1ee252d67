{{ config(
    materialized=meterline.event_path_materialization(),
    incremental_strategy='append',
    on_schema_change='fail',
) }}

{#- Incremental (append): an event is filtered once, in the run that loads it, with the meter
    filters of that run (like the readings of int_event_meter_readings). Filters are data:
    property names and values are columns compared at run time (DECISIONLOG "Meter filters"). -#}

{#- With no meter filter at all (the seed is header-only), no event is read: parsing every event
    again for nothing cost half of int_event_meter_readings (meterline.has_rows). -#}
{%- set any_filter = 'true' if meterline.has_rows(ref('stg_meter_filters')) else 'false' %}

with

parsed as (

    -- new batches only on an incremental run (a constant filter, pushed down to staging)
    select * from {{ ref('int_events_parsed') }}
    where {{ meterline.sparse_new_batches_filter('batch_loaded_at') }}

),

meters as (

    select * from {{ ref('stg_meters') }}

),

meter_filters as (

    select * from {{ ref('stg_meter_filters') }}

),

-- one row per event, meter of its event type and filter of that meter (computed once: the
-- steps below read property_type many times, macros/materialized_cte.sql)
filtered as {{ meterline.materialized_cte() }} (

    select
        -- ids
        parsed.record_id,
        meters.meter_id,

        -- batch
        parsed.batch_loaded_at,

        -- the filter
        meter_filters.operator,
        meter_filters.filter_value,
        {{ meterline.json_pointer('meter_filters.property') }} as property_pointer,

        -- the property, looked up by name at run time
        {{ meterline.json_type_at('parsed.properties', meterline.json_pointer('meter_filters.property')) }}
            as property_type,
        {{ meterline.json_text_at('parsed.properties', meterline.json_pointer('meter_filters.property')) }}
            as property_raw_text,

        -- the landed text, where a JSON number's literal is read as written
        parsed.raw_record,
        parsed.record_layout,
        parsed.landed_properties,
        parsed.properties
    from parsed
    inner join meters
        on parsed.event_type = meters.event_type
    inner join meter_filters
        on meters.meter_id = meter_filters.meter_id
    -- false when there is no filter at all: nothing to read
    where parsed.is_json_object and {{ any_filter }}

),

-- A number compares as written: the parsed text has been through a binary64 double (200.50 ->
-- 200.5) and -0 reads as 0 (macros/ingestion/meter_filters.sql). As in int_event_meter_readings,
-- such a number is read again from the landed text (number_literal_steps).
{{ meterline.number_literal_steps(
    'filtered',
    meterline.meter_filter_needs_literal('property_type', 'property_raw_text'),
    'property_pointer', 'property_literal', 'literals',
) }},

-- the property as compared: a string's content, a number's literal, true or false
property_texts as (

    select
        *,
        {{ meterline.meter_filter_text('property_type', 'property_raw_text', 'property_literal') }} as property_text
    from literals

),

checked as (

    select
        record_id,
        meter_id,
        batch_loaded_at,
        {{ meterline.meter_filter_passes('operator', 'filter_value', 'property_type', 'property_text') }}
            as passes_filter
    from property_texts

),

-- one row per event and meter that a filter of the meter excludes
excluded as (

    select
        -- ids
        record_id,
        meter_id,

        -- batch
        batch_loaded_at,

        -- numerics
        sum(case when passes_filter then 0 else 1 end) as failed_filter_count
    from checked
    group by record_id, meter_id, batch_loaded_at
    having sum(case when passes_filter then 0 else 1 end) > 0

)

select * from excluded

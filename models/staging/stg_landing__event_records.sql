{{ config(
    materialized=meterline.event_path_materialization(),
    incremental_strategy='append',
    on_schema_change='append_new_columns',
) }}

{#- The file list is taken when the model runs, so a table (not a view) keeps
    the result consistent with the files seen at that moment. Incremental runs
    read only what is new: files not loaded yet (by file_name), the lines appended
    to a loaded file, or one changed_file row for a loaded file whose earlier bytes
    changed (see the YAML description). New columns are appended to a table built
    by an earlier version (their values are null on its rows). -#}

{%- set loaded_files = meterline.loaded_landing_files(this) if is_incremental() else none %}

with

landed as (

    {% if var('events_source', 'files') == 'table' -%}
        select * from (
            {{ meterline.landing_table_records(source('meterline_raw', 'raw_events')) }}
        ) as table_records
        {% if is_incremental() -%}
            -- rows loaded after the latest one taken in (needs the optional loaded_at column)
            where file_landed_at > (select max(loaded.file_landed_at) from {{ this }} as loaded)
        {%- endif %}
    {%- else -%}
        {{ meterline.landing_records(meterline.landing_dir(), loaded_files) }}
    {%- endif %}

),

keyed as (

    select
        -- ids
        {{ meterline.surrogate_key(['file_name', 'line_number']) }} as record_id,
        cast(file_name as {{ dbt.type_string() }}) as file_name,
        cast(line_number as bigint) as line_number,

        -- timestamps
        cast(file_landed_at as timestamp) as file_landed_at,
        {{ meterline.batch_loaded_at() }} as batch_loaded_at,

        -- file
        cast(file_size as bigint) as file_size,

        -- payload: the landed text, or (typed Parquet) the six fields as landed
        cast(raw_record as {{ dbt.type_string() }}) as raw_record,
        cast(record_layout as {{ dbt.type_string() }}) as record_layout,
        cast(landed_event_id as {{ dbt.type_string() }}) as landed_event_id,
        cast(landed_source as {{ dbt.type_string() }}) as landed_source,
        cast(landed_event_type as {{ dbt.type_string() }}) as landed_event_type,
        cast(landed_account_id as {{ dbt.type_string() }}) as landed_account_id,
        cast(landed_occurred_at as {{ dbt.type_string() }}) as landed_occurred_at,
        cast(landed_properties as {{ dbt.type_string() }}) as landed_properties,

        -- reading
        cast(file_checksum as {{ dbt.type_string() }}) as file_checksum,
        cast(read_problem as {{ dbt.type_string() }}) as read_problem,
        cast(read_detail as {{ dbt.type_string() }}) as read_detail
    from landed

)

select * from keyed

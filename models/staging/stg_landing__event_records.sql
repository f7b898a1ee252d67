{{ config(materialized='table') }}

{#- The file list is taken when the model runs, so a table (not a view) keeps
    the result consistent with the files seen at that moment. -#}

with

landed as (

    {% if var('events_source', 'files') == 'table' -%}
        {{ meterline.landing_table_records(source('meterline_raw', 'raw_events')) }}
    {%- else -%}
        {{ meterline.landing_records(meterline.landing_dir()) }}
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

        -- payload
        cast(raw_record as {{ dbt.type_string() }}) as raw_record
    from landed

)

select * from keyed

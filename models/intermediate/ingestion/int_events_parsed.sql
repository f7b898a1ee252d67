{{ config(materialized='view') }}

{#- A view: parsing is cheap enough to do where the rows are read (the incremental models
    downstream read only new batches, a filter pushed down to the staging table). -#}

with

records as (

    select * from {{ ref('stg_landing__event_records') }}

),

objects as (

    select
        *,
        -- a typed Parquet row is an object by construction; text is parsed
        record_layout is not null as is_typed,
        case
            when record_layout is not null then true
            -- a line read with a problem (or a row for a whole file) is never parsed
            when read_problem is not null then false
            else {{ meterline.json_is_object('raw_record') }}
        end as is_json_object
    from records

),

fields as (

    select
        record_id,
        file_name,
        line_number,
        file_landed_at,
        batch_loaded_at,
        raw_record,
        record_layout,
        landed_event_id,
        landed_source,
        landed_event_type,
        landed_account_id,
        landed_occurred_at,
        landed_properties,
        read_problem,
        read_detail,
        is_json_object,

        -- ids (JSON numbers read as their text); a typed row's field is a string or absent
        {%- for field in ['event_id', 'source', 'account_id', 'event_type', 'occurred_at'] %}
            case
                when is_typed then case when landed_{{ field }} is not null then 'string' end
                when is_json_object then {{ meterline.json_type_at('raw_record', "'/" ~ field ~ "'") }}
            end as {{ field }}_type,
            case
                when is_typed then landed_{{ field }}
                when is_json_object then {{ meterline.json_text_at('raw_record', "'/" ~ field ~ "'") }}
            end as {{ field }}_text,
        {%- endfor %}

        -- properties (a typed row holds them as JSON text)
        case
            when is_typed then case when landed_properties is not null then 'string' end
            when is_json_object then {{ meterline.json_type_at('raw_record', "'/properties'") }}
        end as properties_type,
        case
            when not is_typed and is_json_object then {{ meterline.json_value_at('raw_record', "'/properties'") }}
        end as properties_value,
        case
            when is_typed then landed_properties
            when is_json_object then {{ meterline.json_text_at('raw_record', "'/properties'") }}
        end as properties_text
    from objects

),

typed as (

    select
        record_id,
        file_name,
        line_number,
        file_landed_at,
        batch_loaded_at,
        raw_record,
        record_layout,
        landed_event_id,
        landed_source,
        landed_event_type,
        landed_account_id,
        landed_occurred_at,
        landed_properties,
        read_problem,
        read_detail,
        is_json_object,

        -- an id is a non-blank JSON string or a JSON number (read as its text)
        case
            when event_id_type in ('string', 'integer', 'number') and trim(event_id_text) <> '' then event_id_text
        end as event_id,
        case
            when source_type in ('string', 'integer', 'number') and trim(source_text) <> '' then source_text
            else 'default'
        end as source,
        case
            when event_type_type in ('string', 'integer', 'number') and trim(event_type_text) <> ''
                then event_type_text
        end as event_type,
        case
            when account_id_type in ('string', 'integer', 'number') and trim(account_id_text) <> ''
                then account_id_text
        end as account_id,

        -- timestamps
        case when occurred_at_type is not null and occurred_at_type <> 'null' then occurred_at_text end
            as occurred_at_raw,
        case
            when occurred_at_type = 'string' then {{ meterline.parse_iso_timestamp_utc('occurred_at_text') }}
        end as occurred_at,

        -- properties: an object, or a string holding an object (e.g. a Parquet text column)
        case
            when properties_type = 'object' then {{ meterline.json_minify('properties_value') }}
            when properties_type = 'string' and {{ meterline.json_is_object('properties_text') }}
                then {{ meterline.json_minify('properties_text') }}
        end as properties,
        coalesce(
            properties_type is null
            or properties_type = 'null'
            or properties_type = 'object'
            or (properties_type = 'string' and {{ meterline.json_is_object('properties_text') }}),
            false
        ) as is_properties_valid
    from fields

),

hashed as (

    select
        *,
        {{ meterline.surrogate_key([
            'event_type',
            'account_id',
            'occurred_at',
            meterline.json_canonical_object('properties'),
        ]) }} as payload_hash
    from typed

)

select * from hashed

{#
    JSON number literals as written. The JSON readers parse a non-integer JSON number
    into a binary64 double, so the text they give back is the double's, not the
    producer's: 1.00000000000000000001 comes back as 1.0 and 1e-400 as 0.0. To
    judge a number by its own digits, the landed text is rewritten with every number
    literal turned into a JSON string of the same characters (strings, keys and
    structure untouched); the JSON functions then return the literal itself.
#}

{#
    `json_text` (valid JSON text) with every number literal quoted: {"v": 1.50} ->
    {"v": "1.50"}. Tokens are JSON strings (escapes included) and the runs between
    them; only the runs are rewritten, so digits inside strings stay as they are.
#}
{% macro json_quote_number_literals(json_text) -%}
    {{ return(adapter.dispatch('json_quote_number_literals', 'meterline')(json_text)) }}
{%- endmacro %}

{% macro default__json_quote_number_literals(json_text) -%}
    array_to_string(
        list_transform(
            regexp_extract_all({{ json_text }}, '"(?:[^"\\]|\\.)*"|[^"]+'),
            lambda token: case
                when token[1] = '"' then token
                else regexp_replace(token, '-?[0-9][0-9.eE+-]*', '"\0"', 'g')
            end
        ),
        ''
    )
{%- endmacro %}

{#
    The CTEs that read a JSON property's number literal as written, from `source` (a CTE
    with the columns raw_record, record_layout, landed_properties and properties of
    int_events_parsed): the landed text holding the properties (a typed Parquet row's
    properties column, a properties string, else the raw record) is read again with its number
    literals quoted. `needs_literal` (SQL) says which rows need it, `pointer` (SQL) is the
    property's JSON pointer; the last CTE, `final_cte`, adds `literal_column` (null where not
    needed). One JSON call per step: Spark cannot nest them. Used by
    int_event_meter_readings (meter values) and int_event_meter_exclusions (meter filters).
#}
{% macro number_literal_steps(source, needs_literal, pointer, literal_column, final_cte) -%}
literal_sources as (

    select
        *,
        {{ needs_literal }} as needs_literal,
        case
            when {{ needs_literal }} and record_layout is null and raw_record is not null
                then {{ meterline.json_type_at('raw_record', "'/properties'") }}
        end as raw_properties_type
    from {{ source }}

),

literal_texts as (

    select
        *,
        case
            when not needs_literal then null
            when record_layout is not null then landed_properties
            when raw_record is null then properties
            when raw_properties_type = 'string' then {{ meterline.json_text_at('raw_record', "'/properties'") }}
            else raw_record
        end as literal_text
    from literal_sources

),

quoted_texts as (

    select
        *,
        {{ meterline.json_quote_number_literals('literal_text') }} as quoted_text
    from literal_texts

),

quoted_properties as (

    select
        *,
        case
            when raw_properties_type = 'object'
                then {{ meterline.json_value_at('quoted_text', "'/properties'") }}
            else quoted_text
        end as quoted_properties_text
    from quoted_texts

),

{{ final_cte }} as (

    select
        *,
        case
            when needs_literal then {{ meterline.json_text_at('quoted_properties_text', pointer) }}
        end as {{ literal_column }}
    from quoted_properties

)
{%- endmacro %}

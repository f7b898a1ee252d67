{{ config(
    materialized=meterline.event_path_materialization(),
    incremental_strategy='append',
    on_schema_change='fail',
) }}

with

parsed as (

    -- new batches only on an incremental run (a constant filter, pushed down to staging)
    select * from {{ ref('int_events_parsed') }}
    where {{ meterline.new_batches_filter('batch_loaded_at') }}

),

meters as (

    select * from {{ ref('stg_meters') }}

),

matched as (

    select
        -- ids
        parsed.record_id,
        meters.meter_id,
        meters.aggregation,

        -- batch
        parsed.batch_loaded_at,

        -- the meter's value property, looked up by name at run time
        case
            when meters.value_property is not null
                then {{ meterline.json_type_at('parsed.properties', meterline.json_pointer('meters.value_property')) }}
        end as value_json_type,
        case
            when meters.value_property is not null
                then {{ meterline.json_text_at('parsed.properties', meterline.json_pointer('meters.value_property')) }}
        end as value_raw_text,

        -- dimensions
        {{ meterline.json_joined_values('parsed.properties', 'meters.group_by') }} as dimension_value
    from parsed
    inner join meters
        on parsed.event_type = meters.event_type
    where parsed.is_json_object

),

numeric_parts as (

    select
        *,
        coalesce(value_json_type is not null and value_json_type <> 'null', false) as has_value,
        {{ meterline.regex_matches('value_raw_text', '^-?[0-9]+([.][0-9]+)?([eE][+-]?[0-9]+)?$') }}
            as is_numeric_text,
        regexp_extract(value_raw_text, '^-?([0-9]+)', 1) as integer_digits,
        regexp_extract(value_raw_text, '^-?[0-9]+[.]([0-9]+)', 1) as fraction_digits,
        coalesce(try_cast(regexp_extract(value_raw_text, '[eE]([+-]?[0-9]+)$', 1) as integer), 0) as exponent
    from matched

),

numeric_checks as (

    select
        *,
        -- digits that matter after the decimal point once the exponent is applied
        length(regexp_replace(integer_digits || fraction_digits, '0+$', ''))
        - length(integer_digits) - exponent as significant_scale,
        -- significant digits of the literal (engines read JSON numbers as binary64:
        -- more than 15 cannot be trusted to be exact)
        length(regexp_replace(regexp_replace(integer_digits || fraction_digits, '0+$', ''), '^0+', ''))
            as significant_digits
    from numeric_parts

),

valued as (

    select
        *,
        case
            when
                is_numeric_text
                and value_json_type in ('string', 'integer', 'number')
                and significant_scale <= 9
                and (value_json_type <> 'number' or significant_digits <= 15)
                then try_cast(try_cast(value_raw_text as decimal(38, 18)) as {{ meterline.quantity_type() }})
        end as value_decimal
    from numeric_checks

),

checked as (

    select
        -- ids
        record_id,
        meter_id,
        aggregation,

        -- batch
        batch_loaded_at,

        -- values
        has_value,
        case when aggregation <> 'unique_count' and aggregation <> 'count' then value_decimal end as value,
        case when aggregation = 'unique_count' and has_value then value_raw_text end as value_text,
        dimension_value,

        -- checks
        coalesce(
            has_value
            and aggregation in ('sum', 'max', 'min', 'latest', 'mean')
            and (value_decimal is null or value_decimal < 0),
            false
        ) as is_value_invalid
    from valued

)

select * from checked

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

-- the events a meter's filters exclude are not read by that meter (DECISIONLOG "Meter filters")
exclusions as (

    select * from {{ ref('int_event_meter_exclusions') }}
    where {{ meterline.new_batches_filter('batch_loaded_at') }}

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
        {{ meterline.json_pointer('meters.value_property') }} as value_pointer,

        -- the landed text, where a JSON number's literal is read as written
        parsed.raw_record,
        parsed.record_layout,
        parsed.landed_properties,
        parsed.properties,

        -- dimensions
        {{ meterline.json_joined_values('parsed.properties', 'meters.group_by') }} as dimension_value
    from parsed
    inner join meters
        on parsed.event_type = meters.event_type
    left join exclusions
        on
            parsed.record_id = exclusions.record_id
            and meters.meter_id = exclusions.meter_id
    where parsed.is_json_object and exclusions.record_id is null

),

-- A JSON number is read as written: the parsed text has been through a binary64 double
-- (1.00000000000000000001 -> 1.0, 1e-400 -> 0.0). The landed text holding the properties (a
-- typed Parquet row's properties column, a properties string, else the raw record) is read
-- again with its number literals quoted (number_literal_steps).
{{ meterline.number_literal_steps(
    'matched', "coalesce(value_json_type = 'number', false)", 'value_pointer', 'number_literal', 'number_literals',
) }},

literals as (

    select
        *,
        case
            when value_json_type = 'number' then number_literal
            else value_raw_text
        end as value_literal
    from number_literals

),

numeric_parts as (

    select
        *,
        coalesce(value_json_type is not null and value_json_type <> 'null', false) as has_value,
        {{ meterline.regex_matches('value_literal', '^-?[0-9]+([.][0-9]+)?([eE][+-]?[0-9]+)?$') }}
            as is_numeric_text,
        value_literal like '-%' as is_negative_text,
        regexp_extract(value_literal, '^-?([0-9]+)', 1) as integer_digits,
        regexp_extract(value_literal, '^-?[0-9]+[.]([0-9]+)', 1) as fraction_digits,
        -- an exponent beyond +-10^6 is null (no arithmetic on it can overflow): the value
        -- is then invalid (it is far outside the bounds anyway)
        case
            when regexp_extract(value_literal, '[eE]([+-]?[0-9]+)$', 1) = '' then cast(0 as bigint)
            when
                abs(try_cast(regexp_extract(value_literal, '[eE]([+-]?[0-9]+)$', 1) as bigint)) <= 1000000
                then try_cast(regexp_extract(value_literal, '[eE]([+-]?[0-9]+)$', 1) as bigint)
        end as exponent
    from literals

),

numeric_digits as (

    select
        *,
        -- the significant digits (no leading or trailing zeros; empty for zero) and the
        -- power of ten of the last one: value = significand x 10^last_digit_power
        regexp_replace(regexp_replace(integer_digits || fraction_digits, '^0+', ''), '0+$', '') as significand,
        exponent - length(fraction_digits)
        + length(integer_digits || fraction_digits)
        - length(regexp_replace(integer_digits || fraction_digits, '0+$', '')) as last_digit_power
    from numeric_parts

),

numeric_checks as (

    select
        *,
        -- fractional digits that matter, and whole digits (zero has neither)
        case when significand = '' then 0 else -last_digit_power end as significant_scale,
        case when significand = '' then 0 else length(significand) + last_digit_power end as whole_digits,
        -- significant digits of the literal (engines read JSON numbers as binary64:
        -- more than 15 cannot be trusted to be exact)
        length(significand) as significant_digits
    from numeric_digits

),

plain as (

    select
        *,
        -- the value written out in plain digits from its significand, only when it has at
        -- most 9 fractional and 19 whole digits (no engine parses an exponent or a long
        -- literal for us, so none can round it)
        case
            when significant_scale > 9 or whole_digits > 19 then null
            when significand = '' then '0'
            when last_digit_power >= 0 then significand || repeat('0', cast(last_digit_power as integer))
            when whole_digits > 0
                then
                    substr(significand, 1, cast(whole_digits as integer))
                    || '.'
                    || substr(significand, cast(whole_digits as integer) + 1)
            else '0.' || repeat('0', cast(-whole_digits as integer)) || significand
        end as plain_digits
    from numeric_checks

),

valued as (

    select
        *,
        case
            when
                is_numeric_text
                and value_json_type in ('string', 'integer', 'number')
                and (value_json_type <> 'number' or significant_digits <= 15)
                then try_cast(
                    case when is_negative_text then '-' else '' end || plain_digits
                    as {{ meterline.event_value_type() }}
                )
        end as value_parsed
    from plain

),

bounded as (

    select
        *,
        -- at most 10^18 (DECISIONLOG "Event values"); a larger value is invalid_value
        case
            when abs(value_parsed) <= {{ meterline.event_value_limit() }} then value_parsed
        end as value_decimal
    from valued

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
        -- the value as the aggregation reads it (its value_kind in the registry, macros/ingestion/aggregations.sql)
        case when aggregation in {{ meterline.aggregation_list('value_kind', 'number') }} then value_decimal end as value,
        case when aggregation in {{ meterline.aggregation_list('value_kind', 'text') }} and has_value then value_raw_text end
            as value_text,
        dimension_value,

        -- checks
        coalesce(
            has_value
            and aggregation in {{ meterline.aggregation_list('non_negative') }}
            and (value_decimal is null or value_decimal < 0),
            false
        ) as is_value_invalid
    from bounded

)

select * from checked

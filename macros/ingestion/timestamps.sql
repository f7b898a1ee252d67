{#
    Time zone helpers. Timestamps are stored as UTC wall time without a time zone.
#}

{#
    ISO-8601 text to a UTC timestamp: 'YYYY-MM-DD', 'T' or a space, 'HH:MM[:SS[.fraction]]',
    then 'Z', '+HH', '+HHMM' or '+HH:MM' (converted to UTC) or nothing (already UTC).
    Anything else, or an impossible date or time, gives null: hours 00-23, minutes and
    seconds 00-59 (no leap second), offsets from -14:00 to +14:00 (the widest in use).
    Fractions below a microsecond are truncated.
#}

{# The accepted text, as one regular expression for every engine. #}
{% macro iso_timestamp_pattern() -%}
    {{ return(
        '^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9]([.][0-9]+)?)?'
        ~ '([Zz]|[+-]((0[0-9]|1[0-3])(:?[0-5][0-9])?|14(:?00)?))?$'
    ) }}
{%- endmacro %}
{% macro parse_iso_timestamp_utc(text_expr) -%}
    {{ return(adapter.dispatch('parse_iso_timestamp_utc', 'meterline')(text_expr)) }}
{%- endmacro %}

{% macro default__parse_iso_timestamp_utc(text_expr) -%}
    case
        when not {{ meterline.regex_matches(text_expr, meterline.iso_timestamp_pattern()) }}
            then null
        when {{ meterline.regex_matches(text_expr, '([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)$') }}
            then timezone('UTC', try_cast(upper({{ text_expr }}) as timestamptz))
        else try_cast(upper({{ text_expr }}) as timestamp)
    end
{%- endmacro %}

{# A UTC timestamp as wall time in the IANA time zone held in tz_expr. #}
{% macro utc_to_local(timestamp_expr, tz_expr) -%}
    {{ return(adapter.dispatch('utc_to_local', 'meterline')(timestamp_expr, tz_expr)) }}
{%- endmacro %}

{% macro default__utc_to_local(timestamp_expr, tz_expr) -%}
    case
        -- UTC wall time is the timestamp itself (skips two time zone conversions)
        when {{ tz_expr }} = 'UTC' then {{ timestamp_expr }}
        else timezone({{ tz_expr }}, timezone('UTC', {{ timestamp_expr }}))
    end
{%- endmacro %}

{# A timestamp as text 'YYYY-MM-DD HH:MM:SS.ffffff' (six fraction digits), the same on every engine. #}
{% macro timestamp_text(timestamp_expr) -%}
    {{ return(adapter.dispatch('timestamp_text', 'meterline')(timestamp_expr)) }}
{%- endmacro %}

{% macro default__timestamp_text(timestamp_expr) -%}
    {{ exceptions.raise_compiler_error("timestamp_text: unsupported adapter '" ~ adapter.type() ~ "'.") }}
{%- endmacro %}

{% macro duckdb__timestamp_text(timestamp_expr) -%}
    strftime({{ timestamp_expr }}, '%Y-%m-%d %H:%M:%S.%f')
{%- endmacro %}

{% macro spark__timestamp_text(timestamp_expr) -%}
    date_format({{ timestamp_expr }}, 'yyyy-MM-dd HH:mm:ss.SSSSSS')
{%- endmacro %}

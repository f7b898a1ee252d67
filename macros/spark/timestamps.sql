{#
    Spark versions of macros/ingestion/timestamps.sql and the regex helper.
    The session time zone is UTC (profiles.yml `spark.sql.session.timeZone`), so a
    Spark timestamp's wall time is UTC wall time, as on DuckDB.
#}

{% macro spark__regex_matches(text_expr, pattern) -%}
    coalesce(({{ text_expr }}) rlike '{{ pattern }}', false)
{%- endmacro %}

{% macro spark__parse_iso_timestamp_utc(text_expr) -%}
    case
        when not {{ meterline.regex_matches(text_expr, meterline.iso_timestamp_pattern()) }}
            then null
        {#- Spark's cast needs seconds when an offset follows; offsets are converted to UTC. #}
        else try_cast(
            regexp_replace(
                upper({{ text_expr }}),
                '^([0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2})([^:0-9]|$)',
                '$1:00$2'
            ) as timestamp
        )
    end
{%- endmacro %}

{% macro spark__utc_to_local(timestamp_expr, tz_expr) -%}
    from_utc_timestamp({{ timestamp_expr }}, {{ tz_expr }})
{%- endmacro %}

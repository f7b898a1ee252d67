{#
    Values as text on Spark. Spark casts a decimal to text in scientific
    notation when it is small (0.000000000 -> '0E-9', 0.0000001 -> '1.0E-7');
    DuckDB always writes the plain digits with the type's scale. Keys and
    invoice descriptions are built from such text, so the scientific form is
    rewritten to plain digits (same digits, same scale).
#}

{# Any value as text, decimals in plain notation with their scale (as on DuckDB). #}
{% macro spark_to_text(value) -%}
    case
        when typeof({{ value }}) like 'decimal(%' then {{ meterline.spark_let('mtx', 'cast(' ~ value ~ ' as string)', "
            case
                when mtx like '%E-%' then
                    regexp_extract(mtx, '^(-?)', 1) || '0.'
                    || repeat('0', cast(regexp_extract(mtx, 'E-([0-9]+)$', 1) as int) - 1)
                    || replace(regexp_extract(mtx, '^-?([0-9.]+)E', 1), '.', '')
                else mtx
            end") }}
        else cast({{ value }} as string)
    end
{%- endmacro %}

{% macro spark__surrogate_key(columns) -%}
    md5(concat_ws('|'
    {%- for column in columns %},
        coalesce({{ meterline.spark_to_text(column) }}, '_null_')
    {%- endfor %}
    ))
{%- endmacro %}

{# format_number (macros/pricing/format_number.sql) reads a number's text from here on Spark. #}
{% macro spark__decimal_text(value) -%}
    {{ meterline.spark_to_text(value) }}
{%- endmacro %}

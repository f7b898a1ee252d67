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

{% macro spark__format_number(value, scale=none) -%}
    {%- if scale is none -%}
        {%- set digits = meterline.spark_to_text('abs(' ~ value ~ ')') -%}
    {%- else -%}
        {%- set digits = meterline.spark_to_text('abs(cast(' ~ value ~ ' as decimal(38, ' ~ (scale | int) ~ ')))') -%}
    {%- endif -%}
    {%- set whole = "lpad(split_part(" ~ digits ~ ", '.', 1), 39, '0')" -%}
    {%- set fraction = "split_part(" ~ digits ~ ", '.', 2)" -%}
    case
        when {{ value }} is null then null
        else concat(
            case when {{ value }} < 0 then '-' else '' end,
            coalesce(nullif(regexp_replace(concat(
                {%- for group in range(13) %}
                substr({{ whole }}, {{ group * 3 + 1 }}, 3){{ ", ','," if not loop.last }}
                {%- endfor %}
            ), '^[0,]+', ''), ''), '0'),
            {%- if scale is none %}
            case
                when regexp_replace({{ fraction }}, '0+$', '') = '' then ''
                else concat('.', regexp_replace({{ fraction }}, '0+$', ''))
            end
            {%- elif scale | int > 0 %}
            concat('.', {{ fraction }})
            {%- else %}
            ''
            {%- endif %}
        )
    end
{%- endmacro %}

{#
    A decimal as customer-facing text for invoice descriptions: thousands
    separated by commas, '.' before the fraction. With `scale` the value is
    shown with exactly that many fractional digits (money: the currency's
    minor units, a constant); without it trailing zeros are dropped
    (quantities, unit prices). Works on the decimal's text, never through
    floating point. Null in, null out.
#}
{% macro format_number(value, scale=none) -%}
    {{ return(adapter.dispatch('format_number', 'meterline')(value, scale)) }}
{%- endmacro %}

{# A decimal's plain digits as text, with the type's scale ('0.000000100', never '1.0E-7'). #}
{% macro decimal_text(value) -%}
    {{ return(adapter.dispatch('decimal_text', 'meterline')(value)) }}
{%- endmacro %}

{% macro default__decimal_text(value) -%}
    cast({{ value }} as {{ dbt.type_string() }})
{%- endmacro %}

{% macro default__format_number(value, scale=none) -%}
    {%- if scale is none -%}
        {%- set magnitude = 'abs(' ~ value ~ ')' -%}
    {%- else -%}
        {%- set magnitude = 'abs(cast(' ~ value ~ ' as decimal(38, ' ~ (scale | int) ~ ')))' -%}
    {%- endif -%}
    {%- set fraction = "split_part(" ~ meterline.decimal_text(magnitude) ~ ", '.', 2)" -%}
    case
        when {{ value }} is null then null
        else concat(
            case when {{ value }} < 0 then '-' else '' end,
            {{ meterline.grouped_whole_digits(magnitude) }},
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

{#
    The whole part of a non-negative decimal with ',' between groups of three digits
    ('1,234,567'; '0' below one).
#}
{% macro grouped_whole_digits(magnitude) -%}
    {{ return(adapter.dispatch('grouped_whole_digits', 'meterline')(magnitude)) }}
{%- endmacro %}

{% macro default__grouped_whole_digits(magnitude) -%}
    {%- set whole = "lpad(split_part(" ~ meterline.decimal_text(magnitude) ~ ", '.', 1), 39, '0')" -%}
    coalesce(nullif(regexp_replace(concat(
        {%- for group in range(13) %}
        substr({{ whole }}, {{ group * 3 + 1 }}, 3){{ ", ','," if not loop.last }}
        {%- endfor %}
    ), '^[0,]+', ''), ''), '0')
{%- endmacro %}

{#
    DuckDB: format('{:,}') on the whole part as a HUGEINT (exact, 38 digits). The shared
    version repeats the digits expression in every group of three, which costs about
    30 microseconds a row on DuckDB.
#}
{% macro duckdb__grouped_whole_digits(magnitude) -%}
    format('{:,}', cast(trunc({{ magnitude }}) as hugeint))
{%- endmacro %}

{#
    Spark: one regular expression puts ',' before every digit followed by whole groups of three
    up to the end. The shared version repeats the digits expression in every group of three,
    which made the models with invoice descriptions hundreds of kilobytes of SQL that took
    Spark tens of seconds for a few thousand rows.
#}
{% macro spark__grouped_whole_digits(magnitude) -%}
    regexp_replace(
        split_part({{ meterline.decimal_text(magnitude) }}, '.', 1), '([0-9])(?=([0-9]{3})+$)', '$1,'
    )
{%- endmacro %}

{#
    Money as text with the currency's minor units, where minor_units may be a
    column (0 to 4): one constant-scale branch per value.
#}
{% macro format_money(amount, minor_units) -%}
    {{ return(adapter.dispatch('format_money', 'meterline')(amount, minor_units)) }}
{%- endmacro %}

{% macro default__format_money(amount, minor_units) -%}
    case {{ minor_units }}
        {%- for digits in range(5) %}
        when {{ digits }} then {{ meterline.format_number(amount, digits) }}
        {%- endfor %}
    end
{%- endmacro %}

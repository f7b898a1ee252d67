{#
    Exact decimal arithmetic that every engine agrees on.

    DuckDB divides decimals into DOUBLE and Spark drops scale when a product
    gets too wide, so division goes through integers: both operands (at most 9
    fractional digits, as quantities, unit prices and money are) are scaled to
    whole numbers, divided as integers, and scaled back. Results are truncated
    toward zero at `scale` digits; money is rounded later, at the invoice line,
    and truncating far below a cent cannot move a value across a rounding tie.
#}

{# x (at most 9 fractional digits) as the whole number x * 10^9. #}
{% macro scaled_int(x) -%}
    {{ return(adapter.dispatch('scaled_int', 'meterline')(x)) }}
{%- endmacro %}

{% macro default__scaled_int(x) -%}
    cast(cast({{ x }} as decimal(38, 9)) * 1000000000 as hugeint)
{%- endmacro %}

{# An integer expression n read as n / 10^scale, as decimal(38, scale). #}
{% macro unscale_int(n, scale) -%}
    {{ return(adapter.dispatch('unscale_int', 'meterline')(n, scale)) }}
{%- endmacro %}

{% macro default__unscale_int(n, scale) -%}
    {%- if scale | int == 0 -%}
        cast({{ n }} as decimal(38, 0))
    {%- else -%}
        (cast({{ n }} as decimal(38, 0)) * cast('0.{{ "0" * (scale | int - 1) }}1' as decimal(38, {{ scale }})))
    {%- endif -%}
{%- endmacro %}

{# Integer division truncating toward zero. #}
{% macro int_divide(n, d) -%}
    {{ return(adapter.dispatch('int_divide', 'meterline')(n, d)) }}
{%- endmacro %}

{% macro default__int_divide(n, d) -%}
    (({{ n }}) // ({{ d }}))
{%- endmacro %}

{#
    numerator / denominator as decimal(38, scale), truncated toward zero.
    Both operands must have at most 9 fractional digits; null when the
    denominator is zero or null.
#}
{% macro divide_decimal(numerator, denominator, scale=18) -%}
    {{ return(adapter.dispatch('divide_decimal', 'meterline')(numerator, denominator, scale)) }}
{%- endmacro %}

{% macro default__divide_decimal(numerator, denominator, scale=18) -%}
    case
        when ({{ denominator }}) = 0 then null
        else {{ meterline.unscale_int(
            meterline.int_divide(
                meterline.scaled_int(numerator) ~ ' * ' ~ (10 ** (scale | int)),
                meterline.scaled_int(denominator)
            ),
            scale
        ) }}
    end
{%- endmacro %}

{#
    ceil(numerator / denominator) for numerator >= 0 and denominator > 0, exact,
    as an integer count (e.g. packages started).
#}
{% macro ceil_divide_decimal(numerator, denominator) -%}
    {{ return(adapter.dispatch('ceil_divide_decimal', 'meterline')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__ceil_divide_decimal(numerator, denominator) -%}
    cast({{ meterline.int_divide(
        meterline.scaled_int(numerator) ~ ' + ' ~ meterline.scaled_int(denominator) ~ ' - 1',
        meterline.scaled_int(denominator)
    ) }} as decimal(38, 0))
{%- endmacro %}

{#
    Round money to the currency's minor units (0 to 4), half away from zero.
    `minor_units` may be a column: each case rounds with a constant scale.
#}
{% macro round_money(amount, minor_units) -%}
    {{ return(adapter.dispatch('round_money', 'meterline')(amount, minor_units)) }}
{%- endmacro %}

{% macro default__round_money(amount, minor_units) -%}
    {#- Each branch is cast on its own: a CASE over decimal(38, 0..4) would be
        unified to one scale by some engines, losing the cents. -#}
    case {{ minor_units }}
        {%- for digits in range(5) %}
        when {{ digits }} then cast(round({{ amount }}, {{ digits }}) as {{ meterline.money_type() }})
        {%- endfor %}
    end
{%- endmacro %}

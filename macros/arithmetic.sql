{#
    Exact decimal arithmetic that every engine agrees on.

    DuckDB divides decimals into DOUBLE and Spark drops scale when a product
    gets too wide, so division goes through integers: both operands (at most 9
    fractional digits, as quantities, unit prices and money are) are scaled to
    whole numbers, divided as integers, and scaled back. Results are truncated
    toward zero at `scale` digits; money is rounded later, at the invoice line,
    and truncating far below a cent cannot move a value across a rounding tie.
    Whole numbers are exact up to 38 digits on both engines (DuckDB HUGEINT,
    Spark decimal(38, 0)).
#}

{#
    `body` with `name` bound to the value of `value` (evaluated once): keeps an
    expression that needs a value several times from repeating its text. `name` must
    not be a column name of the query.
#}
{% macro let_value(name, value, body) -%}
    {{ return(adapter.dispatch('let_value', 'meterline')(name, value, body)) }}
{%- endmacro %}

{% macro default__let_value(name, value, body) -%}
    list_transform([{{ value }}], lambda {{ name }}: {{ body }})[1]
{%- endmacro %}

{#
    `body` with `name` bound to a struct of the named values (pairs [field, expression]),
    read as name.field. For values that are aggregates: they are all taken at the same
    level (an aggregate must not sit inside another value's binding).
#}
{% macro let_values(name, values, body) -%}
    {{ return(adapter.dispatch('let_values', 'meterline')(name, values, body)) }}
{%- endmacro %}

{% macro default__let_values(name, values, body) -%}
    list_transform([{
        {%- for field, value in values %}'{{ field }}': {{ value }}{{ ', ' if not loop.last }}{% endfor -%}
    }], lambda {{ name }}: {{ body }})[1]
{%- endmacro %}

{#
    x (at most `scale` fractional digits, at most 38 digits in all) as the whole
    number x * 10^scale. The whole and fractional parts are scaled apart: a
    decimal(38, s) times 10^s would overflow the decimal type above 10^(38 - 2s).
#}
{% macro scaled_int(x, scale=9) -%}
    {{ return(adapter.dispatch('scaled_int', 'meterline')(x, scale)) }}
{%- endmacro %}

{% macro default__scaled_int(x, scale=9) -%}
    {%- set exact = 'cast(' ~ x ~ ' as decimal(38, ' ~ (scale | int) ~ '))' -%}
    {%- if scale | int == 0 -%}
        cast({{ exact }} as hugeint)
    {%- else -%}
        (cast(trunc({{ exact }}) as hugeint) * 1{{ '0' * (scale | int) }}
        + cast(({{ exact }} - trunc({{ exact }})) * 1{{ '0' * (scale | int) }} as hugeint))
    {%- endif -%}
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

{# Integer division truncating toward zero (quotients below 10^32: Spark divides in decimal(38, 6)). #}
{% macro int_divide(n, d) -%}
    {{ return(adapter.dispatch('int_divide', 'meterline')(n, d)) }}
{%- endmacro %}

{% macro default__int_divide(n, d) -%}
    (({{ n }}) // ({{ d }}))
{%- endmacro %}

{# Remainder of integer division, with the dividend's sign (n = d * int_divide(n, d) + int_mod(n, d)). #}
{% macro int_mod(n, d) -%}
    {{ return(adapter.dispatch('int_mod', 'meterline')(n, d)) }}
{%- endmacro %}

{% macro default__int_mod(n, d) -%}
    (({{ n }}) % ({{ d }}))
{%- endmacro %}

{#
    total / count (a positive whole number, e.g. count(value)) as decimal(38, 9),
    truncated toward zero; null when count is 0. Unlike divide_decimal it scales the
    total only once, so totals up to 10^29 divide exactly (a mean of large values); the
    quotient must stay below 10^23 (int_divide), as a mean of event values (at most
    10^18) does.
#}
{% macro divide_by_count(total, count) -%}
    {{ return(adapter.dispatch('divide_by_count', 'meterline')(total, count)) }}
{%- endmacro %}

{% macro default__divide_by_count(total, count) -%}
    case
        when ({{ count }}) > 0
            then {{ meterline.unscale_int(meterline.int_divide(meterline.scaled_int(total, 9), count), 9) }}
    end
{%- endmacro %}

{#
    The whole part of a decimal (toward zero) as a whole number, and what is left
    (same sign, below 1 in magnitude): x = integer_part(x) + fraction_part(x). Sums
    of the two parts are exact where a sum of the decimals themselves could be
    wider than the engine keeps.
#}
{% macro integer_part(x) -%}
    {{ return(adapter.dispatch('integer_part', 'meterline')(x)) }}
{%- endmacro %}

{% macro default__integer_part(x) -%}
    cast(trunc({{ x }}) as hugeint)
{%- endmacro %}

{% macro fraction_part(x) -%}
    {{ return(adapter.dispatch('fraction_part', 'meterline')(x)) }}
{%- endmacro %}

{% macro default__fraction_part(x) -%}
    (({{ x }}) - trunc({{ x }}))
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

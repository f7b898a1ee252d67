{#
    Spark versions of the exact arithmetic in macros/arithmetic.sql.

    Spark has no 128-bit integer: whole numbers are decimal(38, 0). Its decimal
    rules differ from DuckDB's in two places that matter here:
      * a product or quotient wider than 38 digits keeps only 6 fractional
        digits (so `n * 0.000000001` cannot unscale), and
      * `div` returns a 64-bit integer.
    So integer division is done as (n - n % d) / d, which is exact: `%` on
    decimals is exact and truncates toward zero like DuckDB's `//`, and the
    quotient of a multiple is a whole number; unscaling goes through an exact
    string-to-decimal cast ('<digits>e-<scale>'). Scaling up goes through the
    decimal's plain text with the point removed (exact at any width), and a sum
    of two decimal(38, s) keeps only s - 1 fractional digits, so the parts of
    an amount are taken with `%`, which keeps every digit.
#}

{% macro spark__scaled_int(x, scale=9) -%}
    cast(replace(
        {{ meterline.spark_to_text('cast(' ~ x ~ ' as decimal(38, ' ~ (scale | int) ~ '))') }}, '.', ''
    ) as decimal(38, 0))
{%- endmacro %}

{% macro spark__unscale_int(n, scale) -%}
    {%- if scale | int == 0 -%}
        cast({{ n }} as decimal(38, 0))
    {%- else -%}
        cast(concat(cast(cast({{ n }} as decimal(38, 0)) as string), 'e-{{ scale | int }}') as decimal(38, {{ scale | int }}))
    {%- endif -%}
{%- endmacro %}

{% macro spark__int_divide(n, d) -%}
    {%- set numerator = 'cast(' ~ n ~ ' as decimal(38, 0))' -%}
    {%- set denominator = 'cast(' ~ d ~ ' as decimal(38, 0))' -%}
    cast(({{ numerator }} - {{ numerator }} % {{ denominator }}) / {{ denominator }} as decimal(38, 0))
{%- endmacro %}

{% macro spark__int_mod(n, d) -%}
    (cast({{ n }} as decimal(38, 0)) % cast({{ d }} as decimal(38, 0)))
{%- endmacro %}

{#- x - x % 1 is a whole number, exact in the (reduced) decimal type Spark gives it. -#}
{% macro spark__integer_part(x) -%}
    cast(({{ x }}) - ({{ x }}) % 1 as decimal(38, 0))
{%- endmacro %}

{% macro spark__fraction_part(x) -%}
    (({{ x }}) % 1)
{%- endmacro %}

{% macro spark__let_value(name, value, body) -%}
    {{ meterline.spark_let(name, value, body) }}
{%- endmacro %}

{% macro spark__let_values(name, values, body) -%}
    {%- set fields = [] -%}
    {%- for field, value in values -%}
        {%- do fields.append("'" ~ field ~ "', " ~ value) -%}
    {%- endfor -%}
    {{ meterline.spark_let(name, 'named_struct(' ~ fields | join(', ') ~ ')', body) }}
{%- endmacro %}

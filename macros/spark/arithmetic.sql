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
    string-to-decimal cast ('<digits>e-<scale>').
#}

{% macro spark__scaled_int(x) -%}
    cast(cast({{ x }} as decimal(38, 9)) * 1000000000 as decimal(38, 0))
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

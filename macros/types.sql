{#
    Exact decimal types used end to end (the bounds and why: DECISIONLOG.md,
    "Money and quantities").

    event value   decimal(28, 9): one event's value, at most 10^18 (checked on
                  ingestion), 9 fractional digits
    quantity      decimal(37, 9): a meter's quantity (sums of event values), below
                  10^28; 37 digits so that quantity + quantity stays exact on Spark
                  (two decimal(38, s) operands would lose their last digit)
    unit price    decimal(15, 9): up to 10^6 per unit, e.g. 0.000002 per token
    amount        decimal(38, 18): unrounded money; every amount is below 10^19
                  (amount_limit), so amount + amount stays exact on Spark
    money         decimal(38, 4): rounded money; 4 covers every ISO 4217 minor unit

    quantity x unit price is multiplied exactly through integers (per_unit_amount):
    a plain decimal product of these widths is wider than Spark keeps exactly
    (p1 + p2 + 1 > 38). The unit price type may have any precision up to 19 and
    any scale with quantity scale + unit price scale <= amount scale; the macros
    read the widths from these types.
#}

{% macro event_value_type() -%}
    {{ return(adapter.dispatch('event_value_type', 'meterline')()) }}
{%- endmacro %}
{% macro default__event_value_type() -%}decimal(28, 9){%- endmacro %}

{% macro quantity_type() -%}
    {{ return(adapter.dispatch('quantity_type', 'meterline')()) }}
{%- endmacro %}
{% macro default__quantity_type() -%}decimal(37, 9){%- endmacro %}

{% macro unit_price_type() -%}
    {{ return(adapter.dispatch('unit_price_type', 'meterline')()) }}
{%- endmacro %}
{% macro default__unit_price_type() -%}decimal(15, 9){%- endmacro %}

{% macro amount_type() -%}
    {{ return(adapter.dispatch('amount_type', 'meterline')()) }}
{%- endmacro %}
{% macro default__amount_type() -%}decimal(38, 18){%- endmacro %}

{% macro money_type() -%}
    {{ return(adapter.dispatch('money_type', 'meterline')()) }}
{%- endmacro %}
{% macro default__money_type() -%}decimal(38, 4){%- endmacro %}

{#
    Numeric bounds (DECISIONLOG.md). Literals, so that they can be compared with
    any decimal expression.
#}

{# The largest event value accepted (inclusive): a larger one is invalid_value. #}
{% macro event_value_limit() -%}1000000000000000000{%- endmacro %}

{#
    Every unrounded amount is below this (exclusive): 10^(37 - amount scale), 10^19, so
    that an amount fits decimal(37, amount scale) and two of them add up exactly on
    every engine. A larger amount is not representable (null).
#}
{% macro amount_limit() -%}
    {%- set amount = meterline.decimal_type_digits(meterline.amount_type()) -%}
    1{{ '0' * (37 - amount[1]) }}
{%- endmacro %}

{# [precision, scale] of a 'decimal(p, s)' type text, e.g. decimal_type_digits(unit_price_type()). #}
{% macro decimal_type_digits(type_text) -%}
    {%- set digits = modules.re.findall('[0-9]+', type_text | string) -%}
    {%- if digits | length != 2 -%}
        {{ exceptions.raise_compiler_error("expected a type decimal(p, s), not " ~ type_text) }}
    {%- endif -%}
    {{ return([digits[0] | int, digits[1] | int]) }}
{%- endmacro %}

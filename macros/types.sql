{#
    Exact decimal types used end to end. The widths are chosen so that
    quantity x unit price stays exact on every engine: Spark keeps the full
    scale of a decimal product only while p1 + p2 + 1 <= 38.

    quantity      decimal(22, 9): up to 10^13 units, 9 fractional digits
    unit price    decimal(15, 9): up to 10^6 per unit, e.g. 0.000002 per token
    amount        decimal(38, 18): unrounded money (quantity x unit price is exact)
    money         decimal(38, 4): rounded money; 4 covers every ISO 4217 minor unit
#}

{% macro quantity_type() -%}
    {{ return(adapter.dispatch('quantity_type', 'meterline')()) }}
{%- endmacro %}
{% macro default__quantity_type() -%}decimal(22, 9){%- endmacro %}

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

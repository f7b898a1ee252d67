{#
    per_unit (data contract section 3): b x unit_amount. Registered in pricing_models().
    Example: 4,000 billable tokens at 0.002 = 8.00.
#}
{% macro default__pricing_amount_per_unit(row) -%}
    {{ meterline.per_unit_amount(meterline.column_ref(row, 'billable_quantity'), meterline.column_ref(row, 'unit_amount')) }}
{%- endmacro %}

{# "4,000 × 0.002" #}
{% macro default__pricing_description_per_unit(row) -%}
    concat(
        {{ meterline.format_number(meterline.column_ref(row, 'billable_quantity')) }}, ' × ',
        {{ meterline.format_number(meterline.column_ref(row, 'unit_amount')) }}
    )
{%- endmacro %}

{#
    package (data contract section 3): ceil(b / package_size) x unit_amount, unit_amount
    per package. Registered in pricing_models(); the packages started are the rated row's
    package_count. Example: 121 units in packages of 10 at 100 = 13 packages = 1,300.
#}
{% macro default__pricing_units_package(row) -%}
    {{ meterline.package_count(
        meterline.column_ref(row, 'billable_quantity'), meterline.column_ref(row, 'package_size')
    ) }}
{%- endmacro %}

{% macro default__pricing_amount_package(row) -%}
    {{ meterline.per_unit_amount(meterline.column_ref(row, 'package_count'), meterline.column_ref(row, 'unit_amount')) }}
{%- endmacro %}

{# "13 packages of 10 × 100" #}
{% macro default__pricing_description_package(row) -%}
    {%- set packages = meterline.column_ref(row, 'package_count') -%}
    concat(
        {{ meterline.format_number(packages) }},
        case when {{ packages }} = 1 then ' package of ' else ' packages of ' end,
        {{ meterline.format_number(meterline.column_ref(row, 'package_size')) }}, ' × ',
        {{ meterline.format_number(meterline.column_ref(row, 'unit_amount')) }}
    )
{%- endmacro %}

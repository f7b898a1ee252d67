{# mean: sum / number of values, exact, truncated to 9 decimals (0 without any). #}
{% macro default__aggregation_mean() -%}
    coalesce({{ meterline.divide_by_count('sum(value)', 'count(value)') }}, 0)
{%- endmacro %}

{# sum: the sum of the values (0 without any). #}
{% macro default__aggregation_sum() -%}
    coalesce(sum(value), 0)
{%- endmacro %}

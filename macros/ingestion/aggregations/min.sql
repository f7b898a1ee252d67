{# min: the least value (0 without any). #}
{% macro default__aggregation_min() -%}
    coalesce(min(value), 0)
{%- endmacro %}

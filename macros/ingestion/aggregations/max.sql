{# max: the greatest value (0 without any). #}
{% macro default__aggregation_max() -%}
    coalesce(max(value), 0)
{%- endmacro %}

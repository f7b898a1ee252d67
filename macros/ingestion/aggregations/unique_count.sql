{# unique_count: the distinct values, compared as text. #}
{% macro default__aggregation_unique_count() -%}
    count(distinct value_text)
{%- endmacro %}

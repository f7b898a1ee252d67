{# count: the number of events (with or without the value). #}
{% macro default__aggregation_count() -%}
    count(*)
{%- endmacro %}

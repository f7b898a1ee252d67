{# latest: the value of the last event (order_rank 1: occurred_at, ties by greatest event_id). #}
{% macro default__aggregation_latest() -%}
    coalesce(max(case when order_rank = 1 then value end), 0)
{%- endmacro %}

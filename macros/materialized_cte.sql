{#- `<name> as {{ meterline.materialized_cte() }} (...)`: a CTE computed once, not inlined where
    it is read. DuckDB inlines a CTE's columns into every expression that reads them, and a
    chain of CASE steps over one computed column (the meter filters' JSON type, read by every
    later step) grows into one expression that evaluates the same JSON look-ups hundreds of
    times a row: at 2M events int_event_meter_exclusions took 8.3 s inlined, 0.7 s with its
    looked-up properties materialized (bench `medium`). Spark does not collapse
    projections that would repeat costly expressions, and other engines need no hint: the
    keyword is DuckDB's only. -#}
{% macro materialized_cte() -%}
    {{ return(adapter.dispatch('materialized_cte', 'meterline')()) }}
{%- endmacro %}

{% macro default__materialized_cte() -%}
{%- endmacro %}

{% macro duckdb__materialized_cte() -%}
    materialized
{%- endmacro %}

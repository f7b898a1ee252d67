{#
    peak (a gauge, DECISIONLOG "Gauges: time_weighted and peak"): the greatest value in force
    on any day of the period that the contract covers (days before the first event are 0).
#}
{% macro default__aggregation_peak() -%}
    coalesce(max(value), 0)
{%- endmacro %}

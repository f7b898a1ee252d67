{#
    time_weighted (a gauge, DECISIONLOG "Gauges: time_weighted and peak"): over the days of
    the period that the contract covers (one row each, value = the value in force), the sum
    of the values / the days in the period, rounded to 6 decimals half away from zero. The
    exact quotient is truncated at 9 decimals first, which cannot move it across a tie at 6.
#}
{% macro default__aggregation_time_weighted() -%}
    round({{ meterline.divide_by_count('coalesce(sum(value), 0)', 'max(period_days)') }}, 6)
{%- endmacro %}

{#
    The aggregation registry: every value of meters.aggregation and its properties
    (DECISIONLOG "Aggregation registry"). Everything that needs to know the aggregations
    reads this: the value checks of int_event_meter_readings, aggregate_meter_values, the
    gauge models, the accepted values of stg_meters.aggregation and dim_meters (which the
    report reads).

      value_kind    none: the value property is not read (count); number: a decimal
                    value (event_value_type); text: the value as text (unique_count)
      non_negative  a negative number is invalid_value (quarantined)
      ordered       needs the events ranked last first (occurred_at, then event_id):
                    the value of the last event (order_rank = 1)
      gauge         each event sets a value carried from its day on, across periods and
                    contracts; aggregated over the days of a period (int_gauge_*), not
                    over the period's events
      additive      the quantities of several groups or of several days add up to the
                    quantity over all of them (count, sum)
      group_total   how the period quantities of several groups combine into one figure
                    for the meter: sum, max, min, or none (cannot be combined)
      merge         how the quantities of two disjoint sets of a period's events combine
                    into the quantity of their union (int_meter_usage adds a day's events
                    to the period so far): sum or max; none when it must be recomputed from
                    all the period's events (min: a set without values gives 0, not a bound)

    The aggregate expression of each is the macro aggregation_<name> (one file each in
    macros/ingestion/aggregations/), looked up by aggregation_expression(name). Adding an
    aggregation: one macro file, an entry here, seed rows and tests.
#}
{% macro aggregations() -%}
    {{ return({
        'count': {'value_kind': 'none', 'non_negative': false, 'ordered': false, 'gauge': false,
                  'additive': true, 'group_total': 'sum', 'merge': 'sum'},
        'sum': {'value_kind': 'number', 'non_negative': true, 'ordered': false, 'gauge': false,
                'additive': true, 'group_total': 'sum', 'merge': 'sum'},
        'max': {'value_kind': 'number', 'non_negative': true, 'ordered': false, 'gauge': false,
                'additive': false, 'group_total': 'max', 'merge': 'max'},
        'min': {'value_kind': 'number', 'non_negative': true, 'ordered': false, 'gauge': false,
                'additive': false, 'group_total': 'min', 'merge': none},
        'mean': {'value_kind': 'number', 'non_negative': true, 'ordered': false, 'gauge': false,
                 'additive': false, 'group_total': none, 'merge': none},
        'latest': {'value_kind': 'number', 'non_negative': true, 'ordered': true, 'gauge': false,
                   'additive': false, 'group_total': none, 'merge': none},
        'unique_count': {'value_kind': 'text', 'non_negative': false, 'ordered': false, 'gauge': false,
                         'additive': false, 'group_total': none, 'merge': none},
        'time_weighted': {'value_kind': 'number', 'non_negative': true, 'ordered': true, 'gauge': true,
                          'additive': false, 'group_total': 'sum', 'merge': none},
        'peak': {'value_kind': 'number', 'non_negative': true, 'ordered': true, 'gauge': true,
                 'additive': false, 'group_total': none, 'merge': none},
    }) }}
{%- endmacro %}

{#
    The names of the aggregations, sorted; with `property` (and `value`), only those whose
    property equals the value (default true), e.g. aggregation_names('gauge').
#}
{% macro aggregation_names(property=none, value=true) -%}
    {%- set registry = meterline.aggregations() -%}
    {%- set names = [] -%}
    {%- for name in registry | sort -%}
        {%- if property is none or registry[name][property] == value -%}
            {%- do names.append(name) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(names) }}
{%- endmacro %}

{# The names as a SQL list of literals, e.g. ('max', 'sum'); ('') when there are none. #}
{% macro aggregation_list(property=none, value=true) -%}
    {%- set names = meterline.aggregation_names(property, value) -%}
    ({% for name in names %}'{{ name }}'{{ ', ' if not loop.last }}{% else %}''{% endfor %})
{%- endmacro %}

{#
    The aggregate expression of one aggregation (macro aggregation_<name>, dispatched so that
    an engine may have its own). Event aggregations read the event rows' columns value,
    value_text and order_rank; gauges read one row per day (value: the value in force) and
    period_days.
#}
{% macro aggregation_expression(name) -%}
    {%- if name not in meterline.aggregations() -%}
        {{ exceptions.raise_compiler_error("unknown aggregation " ~ name) }}
    {%- endif -%}
    {#- the name is computed: dbt's parser reads only a literal name in adapter.dispatch(...) -#}
    {%- set dispatch = adapter.dispatch -%}
    {{ return(dispatch('aggregation_' ~ name, 'meterline')()) }}
{%- endmacro %}

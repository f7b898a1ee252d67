{#
    A meter's quantity over a group of its event values (rows of int_event_meter_values
    or the like, with columns aggregation, has_value, value, value_text, occurred_at,
    event_id, source, record_id, file_landed_at). `group_columns` must include the meter
    (meter_id, aggregation). Events without the value add nothing (a count meter still
    counts them); a group without any value has quantity 0.

    Each aggregation's expression is its macro in macros/ingestion/aggregations/ (the
    registry, macros/ingestion/aggregations.sql). Ordered aggregations (latest) read
    order_rank: 1 for the last event by occurred_at, ties: greatest event_id (then source,
    record_id, to stay deterministic). Gauges are not aggregated here: their rows are left
    out (int_gauge_daily_values, int_gauge_usage).

    Values are event_value_type (at most 10^18 each); sums are taken in decimal(38, 9),
    exact up to 10^29. A quantity that does not fit quantity_type (10^28 and more, e.g.
    over 10^10 events at the largest value) is null, never an overflow error: the
    not_null tests on the quantity then fail and name the row.

    with_batch: also the latest batch_loaded_at of the group's events (int_meter_usage keeps
    it to know which events it has taken in).
#}
{% macro aggregate_meter_values(relation, group_columns, with_batch=false) -%}
    {%- set partition = group_columns | join(', ') -%}
    {%- set ordered = meterline.aggregation_list('ordered') -%}
    {%- set gauges = meterline.aggregation_list('gauge') -%}
    select
        {{ partition }},
        cast(case aggregation
            {%- for name in meterline.aggregation_names('gauge', false) %}
                when '{{ name }}' then try_cast({{ meterline.aggregation_expression(name) }} as {{ meterline.quantity_type() }})
            {%- endfor %}
        end as {{ meterline.quantity_type() }}) as quantity,
        count(*) as event_count,
        max(file_landed_at) as last_landed_at
        {%- if with_batch %},
        max(batch_loaded_at) as batch_loaded_at
        {%- endif %}
    from (
        -- only ordered meters need the ranking (a sort): the other rows skip it
        select
            unranked_source.*,
            cast(null as bigint) as order_rank
        from {{ relation }} as unranked_source
        where coalesce(unranked_source.aggregation, '') not in {{ ordered }}
        union all
        select
            ranked_source.*,
            row_number() over (
                partition by {{ partition }}
                order by
                    case when ranked_source.value is null then 1 else 0 end,
                    ranked_source.occurred_at desc,
                    ranked_source.event_id desc,
                    ranked_source.source desc,
                    ranked_source.record_id desc
            ) as order_rank
        from {{ relation }} as ranked_source
        where
            ranked_source.aggregation in {{ ordered }}
            and ranked_source.aggregation not in {{ gauges }}
    ) as ranked
    group by {{ partition }}
{%- endmacro %}


{#
    The quantities of the same meter, period and group over disjoint sets of events (rows with
    the columns of aggregate_meter_values, with_batch), combined into one row per group: the
    quantity over the union of the sets, by the aggregation's merge (registry: sum or max; an
    aggregation without one is never handed here), the events counted, the latest landing and
    batch. A part whose quantity is null (too large for quantity_type) makes the union's null,
    as aggregating all the events at once would.
#}
{% macro merge_meter_quantities(relation, group_columns) -%}
    {%- set registry = meterline.aggregations() -%}
    select
        {{ group_columns | join(', ') }},
        cast(case
            when count(quantity) < count(*) then null
            else case aggregation
                {%- for name in registry | sort if registry[name]['merge'] is not none %}
                when '{{ name }}' then try_cast({{ registry[name]['merge'] }}(quantity) as {{ meterline.quantity_type() }})
                {%- endfor %}
            end
        end as {{ meterline.quantity_type() }}) as quantity,
        cast(sum(event_count) as bigint) as event_count,
        max(last_landed_at) as last_landed_at,
        max(batch_loaded_at) as batch_loaded_at
    from {{ relation }}
    group by {{ group_columns | join(', ') }}
{%- endmacro %}

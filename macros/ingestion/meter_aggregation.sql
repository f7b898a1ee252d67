{#
    A meter's quantity over a group of its event values (rows of int_event_meter_values
    or the like, with columns aggregation, has_value, value, value_text, occurred_at,
    event_id, source, record_id, file_landed_at). `group_columns` must include the meter
    (meter_id, aggregation). Events without the value add nothing (a count meter still
    counts them); a group without any value has quantity 0.

      count         number of events
      sum/max/min   over the values
      mean          sum / number of values, exact, truncated to 9 decimals
      latest        value of the last event by occurred_at, ties: greatest event_id
                    (then source, record_id, to stay deterministic)
      unique_count  distinct values (as text)

    Values are event_value_type (at most 10^18 each); sums are taken in decimal(38, 9),
    exact up to 10^29. A quantity that does not fit quantity_type (10^28 and more, e.g.
    over 10^10 events at the largest value) is null, never an overflow error: the
    not_null tests on the quantity then fail and name the row.
#}
{% macro aggregate_meter_values(relation, group_columns) -%}
    {%- set partition = group_columns | join(', ') -%}
    select
        {{ partition }},
        cast(case aggregation
            when 'count' then try_cast(count(*) as {{ meterline.quantity_type() }})
            when 'sum' then try_cast(coalesce(sum(value), 0) as {{ meterline.quantity_type() }})
            when 'max' then try_cast(coalesce(max(value), 0) as {{ meterline.quantity_type() }})
            when 'min' then try_cast(coalesce(min(value), 0) as {{ meterline.quantity_type() }})
            when 'mean' then try_cast(coalesce(
                {{ meterline.divide_by_count('sum(value)', 'count(value)') }}, 0) as {{ meterline.quantity_type() }})
            when 'latest' then try_cast(
                coalesce(max(case when latest_rank = 1 then value end), 0) as {{ meterline.quantity_type() }})
            when 'unique_count' then try_cast(count(distinct value_text) as {{ meterline.quantity_type() }})
        end as {{ meterline.quantity_type() }}) as quantity,
        count(*) as event_count,
        max(file_landed_at) as last_landed_at
    from (
        -- only `latest` meters need the ranking (a sort): the other rows skip it
        select
            unranked_source.*,
            cast(null as bigint) as latest_rank
        from {{ relation }} as unranked_source
        where coalesce(unranked_source.aggregation, '') <> 'latest'
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
            ) as latest_rank
        from {{ relation }} as ranked_source
        where ranked_source.aggregation = 'latest'
    ) as ranked
    group by {{ partition }}
{%- endmacro %}

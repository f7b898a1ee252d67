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
#}
{% macro aggregate_meter_values(relation, group_columns) -%}
    {%- set partition = group_columns | join(', ') -%}
    select
        {{ partition }},
        cast(case aggregation
            when 'count' then cast(count(*) as {{ meterline.quantity_type() }})
            when 'sum' then coalesce(sum(value), 0)
            when 'max' then coalesce(max(value), 0)
            when 'min' then coalesce(min(value), 0)
            when 'mean' then coalesce({{ meterline.divide_decimal('sum(value)', 'count(value)', 9) }}, 0)
            when 'latest' then coalesce(max(case when latest_rank = 1 then value end), 0)
            when 'unique_count' then cast(count(distinct value_text) as {{ meterline.quantity_type() }})
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

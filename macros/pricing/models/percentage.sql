{#
    percentage (data contract section 7.7): each event with the meter's value costs
    clamp(value x percent_rate / 100 + per_event_amount, per_event_minimum, per_event_maximum);
    the rated row's amount is the exact sum over its events (then the price's minimum_amount
    / maximum_amount, as for every model). Registered in pricing_models() (rates: events,
    sum meters only, no free_quantity). Example: payments of 10, 200 and 1,000 at
    1.2% + 0.10, each between 0.50 and 5.00: 0.22 -> 0.50, 2.50, 12.10 -> 5.00; 8.00.

    Exact on every engine: the value is event_value_type() (decimal(28, 9), at most 10^18)
    and the rate a percent (decimal(9, 4), at most 100) scaled to decimal(9, 6); their
    product is decimal(37, 15) on DuckDB and decimal(38, 15) on Spark (28 + 9 + 1 digits),
    at most 10^18, so it and the per-event amount are both addend_amount_type() and their
    sum is exact.
#}
{% macro default__pricing_event_amount_percentage(price, event) -%}
    {%- set share -%}
        cast(
            cast({{ event }}.value as {{ meterline.event_value_type() }})
            * cast(cast(coalesce({{ price }}.percent_rate, 0) as decimal(9, 4)) * 0.01 as decimal(9, 6))
            as {{ meterline.addend_amount_type() }}
        )
    {%- endset -%}
    {%- set fee -%}
        cast({{ meterline.representable_amount('coalesce(' ~ price ~ '.per_event_amount, 0)') }}
            as {{ meterline.addend_amount_type() }})
    {%- endset -%}
    {{ meterline.clamp_amount(
        share ~ ' + ' ~ fee, price ~ '.per_event_minimum', price ~ '.per_event_maximum'
    ) }}
{%- endmacro %}

{# "3 transactions at 1.2% + 0.10, each 0.50 to 5.00" #}
{% macro default__pricing_description_percentage(row) -%}
    {%- set money = meterline.format_money -%}
    concat(
        {{ meterline.format_number(row ~ '.priced_event_count') }},
        case when {{ row }}.priced_event_count = 1 then ' transaction at ' else ' transactions at ' end,
        {{ meterline.format_number('coalesce(' ~ row ~ '.percent_rate, 0)') }}, '%',
        case
            when {{ row }}.per_event_amount is not null
                then concat(' + ', {{ money(row ~ '.per_event_amount', row ~ '.minor_units') }})
            else ''
        end,
        case
            when {{ row }}.per_event_minimum is not null and {{ row }}.per_event_maximum is not null
                then concat(
                    ', each ', {{ money(row ~ '.per_event_minimum', row ~ '.minor_units') }},
                    ' to ', {{ money(row ~ '.per_event_maximum', row ~ '.minor_units') }}
                )
            when {{ row }}.per_event_minimum is not null
                then concat(', each at least ', {{ money(row ~ '.per_event_minimum', row ~ '.minor_units') }})
            when {{ row }}.per_event_maximum is not null
                then concat(', each at most ', {{ money(row ~ '.per_event_maximum', row ~ '.minor_units') }})
            else ''
        end
    )
{%- endmacro %}

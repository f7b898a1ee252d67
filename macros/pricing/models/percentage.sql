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
    {%- set rate = meterline.column_ref(price, 'percent_rate') -%}
    {%- set share -%}
        cast(
            cast({{ meterline.column_ref(event, 'value') }} as {{ meterline.event_value_type() }})
            * cast(cast(coalesce({{ rate }}, 0) as decimal(9, 4)) * 0.01 as decimal(9, 6))
            as {{ meterline.addend_amount_type() }}
        )
    {%- endset -%}
    {%- set fee -%}
        cast({{ meterline.representable_amount('coalesce(' ~ meterline.column_ref(price, 'per_event_amount') ~ ', 0)') }}
            as {{ meterline.addend_amount_type() }})
    {%- endset -%}
    {{ meterline.clamp_amount(
        share ~ ' + ' ~ fee,
        meterline.column_ref(price, 'per_event_minimum'),
        meterline.column_ref(price, 'per_event_maximum'),
    ) }}
{%- endmacro %}

{# "3 transactions at 1.2% + 0.10, each 0.50 to 5.00" #}
{% macro default__pricing_description_percentage(row) -%}
    {%- set count = meterline.column_ref(row, 'priced_event_count') -%}
    {%- set fee = meterline.column_ref(row, 'per_event_amount') -%}
    {%- set low = meterline.column_ref(row, 'per_event_minimum') -%}
    {%- set high = meterline.column_ref(row, 'per_event_maximum') -%}
    {%- set minor_units = meterline.column_ref(row, 'minor_units') -%}
    concat(
        {{ meterline.format_number(count) }},
        case when {{ count }} = 1 then ' transaction at ' else ' transactions at ' end,
        {{ meterline.format_number('coalesce(' ~ meterline.column_ref(row, 'percent_rate') ~ ', 0)') }}, '%',
        case
            when {{ fee }} is not null then concat(' + ', {{ meterline.format_money(fee, minor_units) }})
            else ''
        end,
        case
            when {{ low }} is not null and {{ high }} is not null
                then concat(
                    ', each ', {{ meterline.format_money(low, minor_units) }},
                    ' to ', {{ meterline.format_money(high, minor_units) }}
                )
            when {{ low }} is not null then concat(', each at least ', {{ meterline.format_money(low, minor_units) }})
            when {{ high }} is not null then concat(', each at most ', {{ meterline.format_money(high, minor_units) }})
            else ''
        end
    )
{%- endmacro %}

{#
    Billing periods: the one place where periods are made (data contract 7.1).

    A contract's periods are [start(k), start(k + 1)) for every integer k, with
    start(k) = anchor + k * n months, n = period_months (1, 3 or 12). Months are always
    added to the anchor, never to the previous period, and a day the month lacks becomes
    the month's last day: anchor 31 January, monthly: 31 Jan, 28 Feb, 31 Mar, 30 Apr.
    The defaults (anchor 2000-01-01, 1 month) give calendar months, the v1 periods.
    DECISIONLOG "Billing cadence and anchors".
#}

{# The anchor of a contract without bill_anchor_on (and of usage without a contract). #}
{% macro default_bill_anchor() -%}
    cast('2000-01-01' as date)
{%- endmacro %}

{# The year, month or day of a date as an integer (standard SQL extract: DuckDB, Spark 3 on). #}
{% macro calendar_part(part, date_expr) -%}
    cast(extract({{ part }} from {{ date_expr }}) as integer)
{%- endmacro %}

{# Months per period of a bill_frequency (lower case); null for an unknown frequency. #}
{% macro bill_frequency_months(frequency) -%}
    case {{ frequency }}
        when 'month' then 1
        when 'quarter' then 3
        when 'year' then 12
    end
{%- endmacro %}

{#
    date_expr plus months_expr (a whole number, may be negative) months, as a date; a day
    the month lacks becomes its last day (both engines' month arithmetic clamps).
#}
{% macro billing_add_months(date_expr, months_expr) -%}
    {{ return(adapter.dispatch('billing_add_months', 'meterline')(date_expr, months_expr)) }}
{%- endmacro %}

{% macro default__billing_add_months(date_expr, months_expr) -%}
    cast({{ dbt.dateadd('month', '(' ~ months_expr ~ ')', date_expr) }} as date)
{%- endmacro %}

{#- Spark: add_months keeps the day or clamps it (Spark 3 on: a month's last day is not
    moved to the next month's last day, which adding from the anchor relies on). -#}
{% macro spark__billing_add_months(date_expr, months_expr) -%}
    add_months({{ date_expr }}, cast({{ months_expr }} as int))
{%- endmacro %}

{# First day of period `index` of a cadence: anchor + index * months months. #}
{% macro billing_period_start(anchor, months, index) -%}
    {{ meterline.billing_add_months(anchor, '(' ~ index ~ ') * (' ~ months ~ ')') }}
{%- endmacro %}

{#
    The index k of the period that contains date_expr: start(k) <= date < start(k + 1).
    The whole months from the anchor's month to the date's, floor-divided by the period's
    months, give k or k + 1 (k + 1 when the date's day is before the anchor's day in the
    month a period starts in); one step back then.
#}
{% macro billing_period_index(date_expr, anchor, months) -%}
    {%- set month_difference -%}
        (({{ meterline.calendar_part('year', date_expr) }} - {{ meterline.calendar_part('year', anchor) }}) * 12
        + {{ meterline.calendar_part('month', date_expr) }} - {{ meterline.calendar_part('month', anchor) }})
    {%- endset -%}
    {#- remainder in [0, months), so that the division floors for a date before the anchor -#}
    {%- set remainder = meterline.int_mod(
        meterline.int_mod(month_difference, months) ~ ' + ' ~ months, months
    ) -%}
    {%- set whole_periods = 'cast(' ~ meterline.int_divide(
        month_difference ~ ' - ' ~ remainder, months
    ) ~ ' as integer)' -%}
    (case
        when {{ meterline.billing_period_start(anchor, months, whole_periods) }} > {{ date_expr }}
            then {{ whole_periods }} - 1
        else {{ whole_periods }}
    end)
{%- endmacro %}

{#
    A select of billing periods of every contract of `contracts` (a relation or CTE with
    contract_id, starts_on, bill_anchor_on, period_months): contract_id, period_index,
    period_start, period_end of each period from the one containing starts_on up to the
    one containing as_of, and, with `usage_periods` (a relation or CTE with contract_id and
    period_start), the period of each of those rows as well (usage after as_of). The
    periods from ends_on on are the caller's to leave out (with the coverage of each).
    int_contract_periods and int_gauge_usage read the same periods.
#}
{% macro contract_billing_periods(contracts, usage_periods=none) -%}
    select
        indexed_periods.contract_id,
        indexed_periods.period_index,
        {{ meterline.billing_period_start(
            'indexed_periods.bill_anchor_on', 'indexed_periods.period_months', 'indexed_periods.period_index'
        ) }} as period_start,
        {{ meterline.billing_period_start(
            'indexed_periods.bill_anchor_on', 'indexed_periods.period_months', 'indexed_periods.period_index + 1'
        ) }} as period_end
    from (
        select
            contract_span.contract_id,
            contract_span.bill_anchor_on,
            contract_span.period_months,
            contract_span.first_period_index + period_offsets.period_offset as period_index
        from (
            select
                contract_id,
                bill_anchor_on,
                period_months,
                {{ meterline.billing_period_index('starts_on', 'bill_anchor_on', 'period_months') }}
                    as first_period_index,
                {{ meterline.billing_period_index(meterline.as_of_literal(), 'bill_anchor_on', 'period_months') }}
                    as as_of_period_index
            from {{ contracts }}
        ) as contract_span
        inner join (
            select cast(generated_number as integer) - 1 as period_offset
            from ({{ dbt.generate_series(1200) }}) as series
        ) as period_offsets
            on period_offsets.period_offset <= contract_span.as_of_period_index - contract_span.first_period_index
        {%- if usage_periods is not none %}
        union
        select
            usage_contracts.contract_id,
            usage_contracts.bill_anchor_on,
            usage_contracts.period_months,
            {{ meterline.billing_period_index(
                'used_periods.period_start', 'usage_contracts.bill_anchor_on', 'usage_contracts.period_months'
            ) }} as period_index
        from {{ usage_periods }} as used_periods
        inner join {{ contracts }} as usage_contracts
            on used_periods.contract_id = usage_contracts.contract_id
        {%- endif %}
    ) as indexed_periods
{%- endmacro %}

{#
    A period's name for people: a calendar month 'YYYY-MM' (as invoices have always named
    it), a calendar quarter 'Q1 2026', a calendar year '2026', any other period its first
    and last day, '15 Jan 2026–14 Jan 2027'.
#}
{% macro period_label(period_start, period_end) -%}
    {%- set last_day = 'cast(' ~ dbt.dateadd('day', -1, period_end) ~ ' as date)' -%}
    case
        when {{ meterline.is_calendar_month(period_start, period_end) }}
            then substr(cast({{ period_start }} as {{ dbt.type_string() }}), 1, 7)
        when {{ meterline.calendar_part('day', period_start) }} = 1
            and {{ meterline.calendar_part('month', period_start) }} in (1, 4, 7, 10)
            and {{ period_end }} = {{ meterline.billing_add_months(period_start, 3) }}
            then concat(
                'Q',
                case {{ meterline.calendar_part('month', period_start) }} when 1 then '1' when 4 then '2' when 7 then '3' else '4' end,
                ' ',
                {{ meterline.period_label_year(period_start) }}
            )
        when {{ meterline.calendar_part('day', period_start) }} = 1
            and {{ meterline.calendar_part('month', period_start) }} = 1
            and {{ period_end }} = {{ meterline.billing_add_months(period_start, 12) }}
            then {{ meterline.period_label_year(period_start) }}
        else concat(
            {{ meterline.period_label_day(period_start) }},
            '–',
            {{ meterline.period_label_day(last_day) }}
        )
    end
{%- endmacro %}

{# The year of a date as text ('2026'). #}
{% macro period_label_year(date_expr) -%}
    cast({{ meterline.calendar_part('year', date_expr) }} as {{ dbt.type_string() }})
{%- endmacro %}

{# A date as 'D Mon YYYY' ('5 Jan 2026'), English month names on every engine. #}
{% macro period_label_day(date_expr) -%}
    concat(
        cast({{ meterline.calendar_part('day', date_expr) }} as {{ dbt.type_string() }}),
        ' ',
        case {{ meterline.calendar_part('month', date_expr) }}
            {%- for name in ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] %}
                when {{ loop.index }} then '{{ name }}'
            {%- endfor %}
        end,
        ' ',
        {{ meterline.period_label_year(date_expr) }}
    )
{%- endmacro %}

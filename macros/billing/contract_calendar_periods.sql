{#
    A select of the calendar periods of every contract in `contracts` (a relation or CTE
    with contract_id, starts_on): contract_id and period_start of each calendar month from
    the contract's start month up to the month containing as_of. int_contract_periods and
    int_gauge_usage read the same periods.
#}
{% macro contract_calendar_periods(contracts) -%}
    select
        contract_months.contract_id,
        cast(
            {{ dbt.dateadd('month', 'month_offsets.month_offset', 'contract_months.first_period_start') }} as date
        ) as period_start
    from (
        select
            contract_id,
            cast({{ dbt.date_trunc('month', 'starts_on') }} as date) as first_period_start,
            cast({{ dbt.date_trunc('month', meterline.as_of_literal()) }} as date) as as_of_period_start
        from {{ contracts }}
    ) as contract_months
    inner join (
        select cast(generated_number as integer) - 1 as month_offset
        from ({{ dbt.generate_series(1200) }}) as series
    ) as month_offsets
        on month_offsets.month_offset <= {{ dbt.datediff(
            'contract_months.first_period_start', 'contract_months.as_of_period_start', 'month'
        ) }}
{%- endmacro %}

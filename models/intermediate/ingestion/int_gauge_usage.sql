{#
    Grain: contract x billing period x gauge meter x group (the columns of int_meter_usage,
    which leaves gauges out; both are unioned in int_period_usage). A gauge's quantity over
    the days of the period that the contract covers (DECISIONLOG "Gauges: time_weighted and
    peak"; the expressions: macros/ingestion/aggregations/). Every period of the contract up
    to the one containing as_of counts, with or without events in it: a value carried into a
    period gives it a quantity. A plain table, recomputed on each run from
    int_gauge_daily_values.
#}

with

daily_values as (

    select * from {{ ref('int_gauge_daily_values') }}

),

meter_values as (

    select * from {{ ref('int_event_meter_values') }}
    where
        aggregation in {{ meterline.aggregation_list('gauge') }}
        and contract_id is not null

),

contracts as (

    select * from {{ ref('stg_contracts') }}

),

-- a later period that already has gauge events (future tolerance)
event_periods as (

    select distinct
        contract_id,
        period_start
    from meter_values

),

-- the periods of int_contract_periods: the contract's periods up to the one containing
-- as_of, and a later one with gauge events
all_periods as (

    {{ meterline.contract_billing_periods('contracts', 'event_periods') }}

),

periods as (

    select
        contracts.account_id,
        contracts.contract_id,
        contracts.plan_id,
        all_periods.period_start,
        all_periods.period_end,
        contracts.starts_on as contract_starts_on,
        contracts.ends_on as contract_ends_on
    from all_periods
    inner join contracts
        on all_periods.contract_id = contracts.contract_id

),

-- the days of the period that the contract covers
covered as (

    select
        account_id,
        contract_id,
        plan_id,
        period_start,
        period_end,
        case
            when contract_starts_on > period_start then contract_starts_on
            else period_start
        end as coverage_start,
        case
            when contract_ends_on is not null and contract_ends_on < period_end then contract_ends_on
            else period_end
        end as coverage_end,
        cast({{ dbt.datediff('period_start', 'period_end', 'day') }} as integer) as period_days
    from periods
    where
        period_start < coalesce(contract_ends_on, period_end)
        and period_end > contract_starts_on

),

-- one row per covered day on which the gauge has a value (days before its first event are 0
-- and have no row)
covered_days as (

    select
        covered.account_id,
        covered.contract_id,
        covered.plan_id,
        daily_values.meter_id,
        daily_values.aggregation,
        covered.period_start,
        covered.period_end,
        covered.period_days,
        daily_values.dimension_value,
        daily_values.quantity as value,
        daily_values.event_count,
        daily_values.last_landed_at
    from covered
    inner join daily_values
        on
            covered.account_id = daily_values.account_id
            and covered.coverage_start <= daily_values.usage_date
            and covered.coverage_end > daily_values.usage_date

),

aggregated as (

    select
        account_id,
        contract_id,
        plan_id,
        meter_id,
        aggregation,
        period_start,
        period_end,
        dimension_value,
        cast(case aggregation
            {%- for name in meterline.aggregation_names('gauge') %}
                when '{{ name }}' then try_cast({{ meterline.aggregation_expression(name) }} as {{ meterline.quantity_type() }})
            {%- endfor %}
        end as {{ meterline.quantity_type() }}) as quantity,
        sum(event_count) as event_count,
        max(last_landed_at) as last_landed_at
    from covered_days
    group by account_id, contract_id, plan_id, meter_id, aggregation, period_start, period_end, dimension_value

),

final as (

    select
        -- ids
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(contract_id as {{ dbt.type_string() }}) as contract_id,
        cast(plan_id as {{ dbt.type_string() }}) as plan_id,
        cast(meter_id as {{ dbt.type_string() }}) as meter_id,
        cast(aggregation as {{ dbt.type_string() }}) as aggregation,

        -- period
        cast(period_start as date) as period_start,
        cast(period_end as date) as period_end,

        -- group
        cast(dimension_value as {{ dbt.type_string() }}) as dimension_value,

        -- numerics
        cast(quantity as {{ meterline.quantity_type() }}) as quantity,
        cast(event_count as bigint) as event_count,

        -- timestamps
        last_landed_at
    from aggregated

)

select * from final

{#
    Grain: account x gauge meter x group x day (billing time zone); key account_id, meter_id,
    dimension_value, usage_date. The value in force on each day of every gauge (DECISIONLOG
    "Gauges: time_weighted and peak"), from the day of its first event to the last day of
    the billing period containing as_of (or its last event, if later), the latest such
    period of the account's contracts (every day of a period counts). A plain table,
    recomputed from every stored gauge event on each run: a late event changes every later
    day.
#}

{%- set gauges = meterline.aggregation_list('gauge') %}

with

meter_values as (

    select * from {{ ref('int_event_meter_values') }}
    where aggregation in {{ gauges }}

),

contracts as (

    select * from {{ ref('stg_contracts') }}

),

day_offsets as (

    select cast(generated_number as integer) - 1 as day_offset
    from ({{ dbt.generate_series(36600) }}) as series

),

-- the events of each day, last first: by occurred_at, ties by greatest event_id
ranked as (

    select
        *,
        row_number() over (
            partition by account_id, meter_id, dimension_value, usage_date
            order by
                case when value is null then 1 else 0 end,
                occurred_at desc,
                event_id desc,
                source desc,
                record_id desc
        ) as order_rank
    from meter_values

),

-- one row per day with events; set_value is null when none of them has the value
event_days as (

    select
        account_id,
        meter_id,
        aggregation,
        dimension_value,
        usage_date,
        max(case when order_rank = 1 then value end) as set_value,
        count(*) as event_count,
        max(file_landed_at) as last_landed_at
    from ranked
    group by account_id, meter_id, aggregation, dimension_value, usage_date

),

series_bounds as (

    select
        account_id,
        meter_id,
        aggregation,
        dimension_value,
        min(usage_date) as first_day,
        case
            when max(usage_date) > {{ meterline.as_of_literal() }} then max(usage_date)
            else {{ meterline.as_of_literal() }}
        end as last_covered_day
    from event_days
    group by account_id, meter_id, aggregation, dimension_value

),

-- the cadences whose period containing last_covered_day the spine must cover: each of the
-- account's contracts (a contract's periods tile, so that period ends at or after every
-- period of the contract that int_gauge_usage reads) and calendar months (v1's periods)
last_period_cadences as (

    select
        account_id,
        meter_id,
        aggregation,
        dimension_value,
        first_day,
        last_covered_day,
        {{ meterline.default_bill_anchor() }} as bill_anchor_on,
        1 as period_months
    from series_bounds
    union all
    select
        series_bounds.account_id,
        series_bounds.meter_id,
        series_bounds.aggregation,
        series_bounds.dimension_value,
        series_bounds.first_day,
        series_bounds.last_covered_day,
        contracts.bill_anchor_on,
        contracts.period_months
    from series_bounds
    inner join contracts
        on series_bounds.account_id = contracts.account_id

),

last_periods as (

    select
        *,
        {{ meterline.billing_period_index('last_covered_day', 'bill_anchor_on', 'period_months') }} as period_index
    from last_period_cadences

),

series_ends as (

    select
        account_id,
        meter_id,
        aggregation,
        dimension_value,
        first_day,
        max({{ meterline.billing_period_start('bill_anchor_on', 'period_months', 'period_index + 1') }}) as series_end
    from last_periods
    group by account_id, meter_id, aggregation, dimension_value, first_day

),

-- the spine's last day: the last day of the latest of those periods
series as (

    select
        *,
        cast({{ dbt.dateadd('day', -1, 'series_end') }} as date) as last_day
    from series_ends

),

spine as (

    select
        series.account_id,
        series.meter_id,
        series.aggregation,
        series.dimension_value,
        cast({{ dbt.dateadd('day', 'day_offsets.day_offset', 'series.first_day') }} as date) as usage_date
    from series
    inner join day_offsets
        on day_offsets.day_offset <= {{ dbt.datediff('series.first_day', 'series.last_day', 'day') }}

),

-- each day that sets a value, and the next such day (the value holds until then)
settings as (

    select
        account_id,
        meter_id,
        dimension_value,
        usage_date as set_on,
        set_value,
        lead(usage_date) over (
            partition by account_id, meter_id, dimension_value
            order by usage_date
        ) as next_set_on
    from event_days
    where set_value is not null

),

in_force as (

    select
        spine.account_id,
        spine.meter_id,
        spine.aggregation,
        spine.dimension_value,
        spine.usage_date,
        -- before the first value the gauge is 0
        coalesce(settings.set_value, 0) as value_in_force
    from spine
    left join settings
        on
            spine.account_id = settings.account_id
            and spine.meter_id = settings.meter_id
            -- a meter's groups are all null (no group_by) or all text
            and coalesce(spine.dimension_value, '') = coalesce(settings.dimension_value, '')
            and spine.usage_date >= settings.set_on
            and (settings.next_set_on is null or spine.usage_date < settings.next_set_on)

),

final as (

    select
        -- ids
        cast(in_force.account_id as {{ dbt.type_string() }}) as account_id,
        cast(in_force.meter_id as {{ dbt.type_string() }}) as meter_id,
        cast(in_force.aggregation as {{ dbt.type_string() }}) as aggregation,

        -- dates (billing time zone)
        cast(in_force.usage_date as date) as usage_date,

        -- group
        cast(in_force.dimension_value as {{ dbt.type_string() }}) as dimension_value,

        -- numerics
        cast(in_force.value_in_force as {{ meterline.quantity_type() }}) as quantity,
        cast(coalesce(event_days.event_count, 0) as bigint) as event_count,

        -- timestamps
        event_days.last_landed_at
    from in_force
    left join event_days
        on
            in_force.account_id = event_days.account_id
            and in_force.meter_id = event_days.meter_id
            and coalesce(in_force.dimension_value, '') = coalesce(event_days.dimension_value, '')
            and in_force.usage_date = event_days.usage_date

)

select * from final

{#
    Grain: account, contract, meter, billing period, group (key account_id, contract_id,
    meter_id, period_start, dimension_value). The period quantities rating prices
    (int_period_usage: the meters of seeds/meters.csv, the gauges and the custom SQL meters),
    for readers outside dbt: each period with its stored bounds (period_end exclusive) and its
    name (period_label), each meter with its unit.
#}

with

period_usage as (

    select * from {{ ref('int_period_usage') }}

),

meters as (

    select * from {{ ref('dim_meters') }}

),

labelled as (

    select
        -- ids
        period_usage.account_id,
        period_usage.contract_id,
        period_usage.plan_id,
        period_usage.meter_id,

        -- period
        period_usage.period_start,
        period_usage.period_end,
        {{ meterline.period_label('period_usage.period_start', 'period_usage.period_end') }} as period_label,

        -- group
        period_usage.dimension_value,

        -- meter
        coalesce(meters.aggregation, period_usage.aggregation) as aggregation,
        meters.unit,

        -- numerics
        period_usage.quantity,
        period_usage.event_count
    from period_usage
    left join meters
        on period_usage.meter_id = meters.meter_id

),

final as (

    select
        -- ids
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(contract_id as {{ dbt.type_string() }}) as contract_id,
        cast(plan_id as {{ dbt.type_string() }}) as plan_id,
        cast(meter_id as {{ dbt.type_string() }}) as meter_id,

        -- period
        cast(period_start as date) as period_start,
        cast(period_end as date) as period_end,
        cast(period_label as {{ dbt.type_string() }}) as period_label,

        -- group
        cast(dimension_value as {{ dbt.type_string() }}) as dimension_value,

        -- meter
        cast(aggregation as {{ dbt.type_string() }}) as aggregation,
        cast(unit as {{ dbt.type_string() }}) as unit,

        -- numerics
        cast(quantity as {{ meterline.quantity_type() }}) as quantity,
        cast(event_count as bigint) as event_count
    from labelled

)

select * from final

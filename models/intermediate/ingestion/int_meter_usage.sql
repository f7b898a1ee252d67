with

meter_values as (

    select * from {{ ref('int_event_meter_values') }}

),

contracted as (

    select * from meter_values
    where contract_id is not null

),

aggregated as (

    {{ meterline.aggregate_meter_values('contracted', [
        'account_id', 'contract_id', 'plan_id', 'meter_id', 'aggregation',
        'period_start', 'period_end', 'dimension_value',
    ]) }}

),

final as (

    select
        -- ids
        aggregated.account_id,
        aggregated.contract_id,
        aggregated.plan_id,
        aggregated.meter_id,
        aggregated.aggregation,

        -- period
        aggregated.period_start,
        aggregated.period_end,

        -- group
        aggregated.dimension_value,

        -- numerics
        aggregated.quantity,
        aggregated.event_count,

        -- timestamps
        aggregated.last_landed_at
    from aggregated

)

select * from final

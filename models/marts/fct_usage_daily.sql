with

meter_values as (

    select * from {{ ref('int_event_meter_values') }}

),

aggregated as (

    {{ meterline.aggregate_meter_values('meter_values', [
        'account_id', 'meter_id', 'aggregation', 'usage_date', 'dimension_value',
    ]) }}

),

final as (

    select
        -- ids
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(meter_id as {{ dbt.type_string() }}) as meter_id,

        -- dates (billing time zone)
        cast(usage_date as date) as usage_date,

        -- group
        cast(dimension_value as {{ dbt.type_string() }}) as dimension_value,

        -- numerics
        cast(quantity as {{ meterline.quantity_type() }}) as quantity,
        cast(event_count as bigint) as event_count
    from aggregated

)

select * from final

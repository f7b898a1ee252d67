{#
    Usage that no price in its contract covers for that period and group:
    not billed, reported as `no_price` in audit_unrated_events.
#}

with

meter_usage as (

    select * from {{ ref('int_period_usage') }}

),

contract_prices as (

    select * from {{ ref('int_contract_prices') }}

),

usage_prices as (

    select * from contract_prices
    where charge_type = 'usage'

),

unpriced as (

    select
        -- ids
        meter_usage.account_id,
        meter_usage.contract_id,
        meter_usage.meter_id,

        -- dates
        meter_usage.period_start,
        meter_usage.period_end,

        -- definition
        meter_usage.dimension_value,

        -- numerics
        meter_usage.quantity,
        meter_usage.event_count
    from meter_usage
    left join usage_prices
        on
            meter_usage.contract_id = usage_prices.contract_id
            and meter_usage.period_start = usage_prices.period_start
            and meter_usage.meter_id = usage_prices.meter_id
            and (
                usage_prices.dimension_value is null
                or meter_usage.dimension_value = usage_prices.dimension_value
            )
    where usage_prices.price_id is null

)

select * from unpriced

{#
    What gets rated: one row per contract, period, usage price and group.

    Usage of a group takes the price for its own dimension_value, else the
    contract's default price for the meter (dimension_value null). A price
    that got no usage in the period still gets one row with quantity 0, so
    that tier-1 flat fees and minimum amounts are billed: a group-specific
    price with its dimension_value, a default price with dimension_value null.
#}

with

contract_prices as (

    select * from {{ ref('int_contract_prices') }}

),

meter_usage as (

    select * from {{ ref('int_period_usage') }}

),

usage_prices as (

    select * from contract_prices
    where charge_type = 'usage'

),

candidate_matches as (

    select
        meter_usage.account_id,
        meter_usage.contract_id,
        meter_usage.meter_id,
        meter_usage.period_start,
        meter_usage.dimension_value,
        meter_usage.quantity,
        meter_usage.event_count,
        usage_prices.price_id,
        -- a group's own price wins over the default price; rank keeps ties visible
        rank() over (
            partition by
                meter_usage.contract_id,
                meter_usage.meter_id,
                meter_usage.period_start,
                meter_usage.dimension_value is null,
                coalesce(meter_usage.dimension_value, '')
            order by case when usage_prices.dimension_value is null then 1 else 0 end
        ) as match_rank
    from meter_usage
    inner join usage_prices
        on
            meter_usage.contract_id = usage_prices.contract_id
            and meter_usage.period_start = usage_prices.period_start
            and meter_usage.meter_id = usage_prices.meter_id
            and (
                usage_prices.dimension_value is null
                or meter_usage.dimension_value = usage_prices.dimension_value
            )

),

matched_usage as (

    select * from candidate_matches
    where match_rank = 1

),

priced_groups as (

    select
        usage_prices.price_id,
        usage_prices.contract_id,
        usage_prices.period_start,
        coalesce(matched_usage.dimension_value, usage_prices.dimension_value) as dimension_value,
        -- 0 for a price without usage; a quantity that did not fit quantity_type stays null
        case when matched_usage.price_id is null then 0 else matched_usage.quantity end as quantity,
        coalesce(matched_usage.event_count, 0) as event_count
    from usage_prices
    left join matched_usage
        on
            usage_prices.price_id = matched_usage.price_id
            and usage_prices.contract_id = matched_usage.contract_id
            and usage_prices.period_start = matched_usage.period_start

),

final as (

    select
        -- ids
        {{ meterline.surrogate_key([
            'usage_prices.contract_id', 'usage_prices.period_start',
            'usage_prices.price_id', 'priced_groups.dimension_value'
        ]) }} as rated_usage_id,
        usage_prices.account_id,
        usage_prices.contract_id,
        usage_prices.plan_id,
        usage_prices.meter_id,
        usage_prices.price_id,

        -- dates
        usage_prices.period_start,
        usage_prices.period_end,

        -- definition
        priced_groups.dimension_value,
        usage_prices.pricing_model,

        -- numerics
        cast(priced_groups.quantity as {{ meterline.quantity_type() }}) as quantity,
        cast(priced_groups.event_count as bigint) as event_count,
        usage_prices.unit_amount,
        usage_prices.package_size,
        usage_prices.free_quantity,
        usage_prices.minimum_amount,
        usage_prices.maximum_amount,

        -- money
        usage_prices.currency
    from priced_groups
    inner join usage_prices
        on
            priced_groups.price_id = usage_prices.price_id
            and priced_groups.contract_id = usage_prices.contract_id
            and priced_groups.period_start = usage_prices.period_start

)

select * from final

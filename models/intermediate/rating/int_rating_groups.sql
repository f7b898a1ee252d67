{#
    Which price rates each group of usage, and the rated row it lands in. Grain: contract,
    period, meter and group with usage (int_period_usage).

    A group takes the price for its own dimension_value, else the contract's default price
    for the meter (dimension_value null). A default price with tier_scope = meter pools the
    groups it covers into one rated row with dimension_value null, aggregated from their
    events (data contract 7.8, DECISIONLOG "One tier ladder for all groups"); otherwise each
    group is a rated row of its own. Rated rows that need their events (pooled ones and
    pricing models that rate events, macros/pricing/pricing_models.sql) are marked
    is_rated_from_events: int_rating_events holds their events.
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
        usage_prices.pricing_model,
        usage_prices.tier_scope,
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

matched as (

    select
        *,
        -- a pooled price rates all its groups as one row without a group
        case when tier_scope = 'meter' then null else dimension_value end as rated_dimension_value
    from candidate_matches
    where match_rank = 1

),

final as (

    select
        -- ids
        {{ meterline.surrogate_key([
            'contract_id', 'period_start', 'price_id', 'rated_dimension_value'
        ]) }} as rated_usage_id,
        account_id,
        contract_id,
        meter_id,
        price_id,

        -- dates
        period_start,

        -- groups
        dimension_value,
        rated_dimension_value,

        -- numerics
        cast(quantity as {{ meterline.quantity_type() }}) as quantity,
        cast(event_count as bigint) as event_count,

        -- how the rated row is rated
        tier_scope = 'meter' as is_pooled,
        tier_scope = 'meter'
        or pricing_model in {{ meterline.pricing_model_list('rates', 'events') }} as is_rated_from_events
    from matched

)

select * from final

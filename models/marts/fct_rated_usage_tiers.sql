with

rated_usage_tiers as (

    select * from {{ ref('int_rated_usage_tiers') }}

),

final as (

    select
        -- ids
        rated_usage_id,
        account_id,
        contract_id,
        period_start,
        period_end,
        meter_id,
        price_id,
        dimension_value,
        pricing_model,
        tier,

        -- numerics
        billable_quantity,
        lower_bound,
        up_to,
        units_in_tier,
        unit_amount,
        flat_amount,
        flat_amount_charged,
        tier_amount,
        currency
    from rated_usage_tiers

)

select * from final

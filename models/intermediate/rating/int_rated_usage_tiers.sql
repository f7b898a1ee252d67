{#
    Tier-by-tier breakdown of every tiered charge (the pricing models with rates = tiers,
    macros/pricing/pricing_models.sql): what each tier contributed, so that any tiered
    amount can be explained. int_rated_usage sums tier_amount into the charge.
#}

with

quantities as (

    select * from {{ ref('int_rating_quantities') }}

),

price_tiers as (

    select * from {{ ref('int_price_tiers') }}

),

rating_quantities as (

    select
        *,
        {{ meterline.billable_quantity('quantity', 'free_quantity') }} as billable_quantity
    from quantities

),

tiered as (

    select
        -- ids
        rating_quantities.rated_usage_id,
        rating_quantities.account_id,
        rating_quantities.contract_id,
        rating_quantities.meter_id,
        rating_quantities.price_id,
        price_tiers.tier,

        -- dates
        rating_quantities.period_start,
        rating_quantities.period_end,

        -- definition
        rating_quantities.dimension_value,
        rating_quantities.pricing_model,

        -- numerics
        rating_quantities.billable_quantity,
        price_tiers.lower_bound,
        price_tiers.up_to,
        price_tiers.unit_amount,
        price_tiers.flat_amount,
        {{ meterline.pricing_model_case(
            'rating_quantities.pricing_model', 'tier_units', ['rating_quantities', 'price_tiers'], 'tiers'
        ) }} as units_in_tier,
        {{ meterline.pricing_model_case(
            'rating_quantities.pricing_model', 'tier_flat', ['rating_quantities', 'price_tiers'], 'tiers'
        ) }} as flat_amount_charged,
        {{ meterline.pricing_model_case(
            'rating_quantities.pricing_model', 'tier_amount', ['rating_quantities', 'price_tiers'], 'tiers'
        ) }} as tier_amount,

        -- money
        rating_quantities.currency
    from rating_quantities
    inner join price_tiers
        on rating_quantities.price_id = price_tiers.price_id
    where rating_quantities.pricing_model in {{ meterline.pricing_model_list('rates', 'tiers') }}

)

select * from tiered

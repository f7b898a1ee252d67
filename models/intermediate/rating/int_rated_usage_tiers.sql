{#
    Tier-by-tier breakdown of every graduated and volume charge: what each
    tier contributed, so that any tiered amount can be explained.
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
        case
            when rating_quantities.pricing_model = 'graduated'
                then {{ meterline.graduated_tier_units(
                    'rating_quantities.billable_quantity', 'price_tiers.lower_bound', 'price_tiers.up_to'
                ) }}
            when {{ meterline.volume_tier_applies(
                'rating_quantities.billable_quantity', 'price_tiers.lower_bound',
                'price_tiers.up_to', 'price_tiers.is_first_tier'
            ) }}
                then rating_quantities.billable_quantity
            else cast(0 as {{ meterline.quantity_type() }})
        end as units_in_tier,
        case
            when rating_quantities.pricing_model = 'graduated'
                then {{ meterline.graduated_tier_flat(
                    'rating_quantities.billable_quantity', 'price_tiers.lower_bound',
                    'price_tiers.flat_amount', 'price_tiers.is_first_tier'
                ) }}
            when {{ meterline.volume_tier_applies(
                'rating_quantities.billable_quantity', 'price_tiers.lower_bound',
                'price_tiers.up_to', 'price_tiers.is_first_tier'
            ) }}
                then cast(coalesce(price_tiers.flat_amount, 0) as {{ meterline.amount_type() }})
            else cast(0 as {{ meterline.amount_type() }})
        end as flat_amount_charged,
        case
            when rating_quantities.pricing_model = 'graduated'
                then {{ meterline.graduated_tier_amount(
                    'rating_quantities.billable_quantity', 'price_tiers.lower_bound', 'price_tiers.up_to',
                    'price_tiers.unit_amount', 'price_tiers.flat_amount', 'price_tiers.is_first_tier'
                ) }}
            else {{ meterline.volume_tier_amount(
                'rating_quantities.billable_quantity', 'price_tiers.lower_bound', 'price_tiers.up_to',
                'price_tiers.unit_amount', 'price_tiers.flat_amount', 'price_tiers.is_first_tier'
            ) }}
        end as tier_amount,

        -- money
        rating_quantities.currency
    from rating_quantities
    inner join price_tiers
        on rating_quantities.price_id = price_tiers.price_id
    where rating_quantities.pricing_model in ('graduated', 'volume')

)

select * from tiered

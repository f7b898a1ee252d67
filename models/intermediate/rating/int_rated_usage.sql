{#
    Every rated quantity priced by its model (section 3 of the data
    contract), then clamped to the price's minimum and maximum. Amounts are
    unrounded (amount_type); rounding happens on the invoice line.
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

counted as (

    -- packages started (package prices): package_amount in two steps, count then price
    select
        *,
        case
            when pricing_model = 'package'
                then {{ meterline.package_count('billable_quantity', 'package_size') }}
        end as package_count
    from rating_quantities

),

tier_amounts as (

    -- one row per tiered quantity and tier: the tier's amount under either model
    select
        rating_quantities.rated_usage_id,
        {{ meterline.graduated_tier_amount(
            'rating_quantities.billable_quantity', 'price_tiers.lower_bound', 'price_tiers.up_to',
            'price_tiers.unit_amount', 'price_tiers.flat_amount', 'price_tiers.is_first_tier'
        ) }} as graduated_tier_amount,
        {{ meterline.volume_tier_amount(
            'rating_quantities.billable_quantity', 'price_tiers.lower_bound', 'price_tiers.up_to',
            'price_tiers.unit_amount', 'price_tiers.flat_amount', 'price_tiers.is_first_tier'
        ) }} as volume_tier_amount
    from rating_quantities
    inner join price_tiers
        on rating_quantities.price_id = price_tiers.price_id
    where rating_quantities.pricing_model in ('graduated', 'volume')

),

tiered_amounts as (

    -- graduated_amount / volume_amount in two steps: the tiers' amounts, then their exact sum
    select
        tier_amounts.rated_usage_id,
        cast({{ meterline.sum_amounts('tier_amounts.graduated_tier_amount') }} as {{ meterline.amount_type() }})
            as graduated_amount,
        cast({{ meterline.sum_amounts('tier_amounts.volume_tier_amount') }} as {{ meterline.amount_type() }})
            as volume_amount
    from tier_amounts
    group by tier_amounts.rated_usage_id

),

priced as (

    select
        counted.*,
        case counted.pricing_model
            when 'per_unit'
                then {{ meterline.per_unit_amount('counted.billable_quantity', 'counted.unit_amount') }}
            when 'package'
                then {{ meterline.per_unit_amount('counted.package_count', 'counted.unit_amount') }}
            when 'graduated' then tiered_amounts.graduated_amount
            when 'volume' then tiered_amounts.volume_amount
        end as model_amount
    from counted
    left join tiered_amounts
        on counted.rated_usage_id = tiered_amounts.rated_usage_id

),

clamped as (

    select
        *,
        {{ meterline.clamp_amount('model_amount', 'minimum_amount', 'maximum_amount') }} as amount
    from priced

),

final as (

    select
        -- ids
        account_id,
        contract_id,
        period_start,
        period_end,
        meter_id,
        price_id,
        dimension_value,
        pricing_model,

        -- numerics
        quantity,
        billable_quantity,
        amount,
        currency,

        -- explanation
        rated_usage_id,
        plan_id,
        event_count,
        unit_amount,
        package_size,
        free_quantity,
        package_count,
        minimum_amount,
        maximum_amount,
        model_amount
    from clamped

)

select * from final

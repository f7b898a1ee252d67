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

tiered_amounts as (

    select
        rating_quantities.rated_usage_id,
        {{ meterline.graduated_amount(
            'rating_quantities.billable_quantity', 'price_tiers.lower_bound', 'price_tiers.up_to',
            'price_tiers.unit_amount', 'price_tiers.flat_amount', 'price_tiers.is_first_tier'
        ) }} as graduated_amount,
        {{ meterline.volume_amount(
            'rating_quantities.billable_quantity', 'price_tiers.lower_bound', 'price_tiers.up_to',
            'price_tiers.unit_amount', 'price_tiers.flat_amount', 'price_tiers.is_first_tier'
        ) }} as volume_amount
    from rating_quantities
    inner join price_tiers
        on rating_quantities.price_id = price_tiers.price_id
    where rating_quantities.pricing_model in ('graduated', 'volume')
    group by rating_quantities.rated_usage_id

),

priced as (

    select
        rating_quantities.*,
        case rating_quantities.pricing_model
            when 'per_unit'
                then {{ meterline.per_unit_amount(
                    'rating_quantities.billable_quantity', 'rating_quantities.unit_amount'
                ) }}
            when 'package'
                then {{ meterline.package_amount(
                    'rating_quantities.billable_quantity', 'rating_quantities.package_size',
                    'rating_quantities.unit_amount'
                ) }}
            when 'graduated' then tiered_amounts.graduated_amount
            when 'volume' then tiered_amounts.volume_amount
        end as model_amount,
        case
            when rating_quantities.pricing_model = 'package'
                then {{ meterline.package_count(
                    'rating_quantities.billable_quantity', 'rating_quantities.package_size'
                ) }}
        end as package_count
    from rating_quantities
    left join tiered_amounts
        on rating_quantities.rated_usage_id = tiered_amounts.rated_usage_id

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

{#
    Every rated quantity priced by its pricing model (data contract sections 3 and 7.7;
    the models are the registry macros/pricing/pricing_models.sql), then clamped to the
    price's minimum and maximum. A model prices either the billable quantity, or its tiers
    (int_price_tiers; int_rated_usage_tiers shows them one by one), or each event of the
    rated row (int_rating_events); tiers and events are summed exactly. Amounts are unrounded (amount_type); rounding happens on the
    invoice line.
#}

with

quantities as (

    select * from {{ ref('int_rating_quantities') }}

),

price_tiers as (

    select * from {{ ref('int_price_tiers') }}

),

rating_events as (

    select * from {{ ref('int_rating_events') }}

),

rating_quantities as (

    select
        *,
        {{ meterline.billable_quantity('quantity', 'free_quantity') }} as billable_quantity
    from quantities

),

counted as (

    -- the units a model charges for (package: packages started), before its amount
    select
        *,
        {{ meterline.pricing_model_case('pricing_model', 'units', [''], property='counts_units') }}
            as package_count
    from rating_quantities

),

tier_amounts as (

    -- models that price tiers: one row per rated row and tier, the tier's amount
    -- (int_rated_usage_tiers shows the same breakdown with its units)
    select
        rating_quantities.rated_usage_id,
        {{ meterline.pricing_model_case(
            'rating_quantities.pricing_model', 'tier_amount', ['rating_quantities', 'price_tiers'], 'tiers'
        ) }} as tier_amount
    from rating_quantities
    inner join price_tiers
        on rating_quantities.price_id = price_tiers.price_id
    where rating_quantities.pricing_model in {{ meterline.pricing_model_list('rates', 'tiers') }}

),

tiered_amounts as (

    -- their exact sum
    select
        tier_amounts.rated_usage_id,
        cast({{ meterline.sum_amounts('tier_amounts.tier_amount') }} as {{ meterline.amount_type() }})
            as tiered_amount
    from tier_amounts
    group by tier_amounts.rated_usage_id

),

event_charges as (

    -- models that price events: each event with the meter's value
    select
        rating_events.rated_usage_id,
        {{ meterline.pricing_model_case(
            'rating_quantities.pricing_model', 'event_amount', ['rating_quantities', 'rating_events'], 'events'
        ) }} as event_amount
    from rating_events
    inner join rating_quantities
        on rating_events.rated_usage_id = rating_quantities.rated_usage_id
    where
        rating_quantities.pricing_model in {{ meterline.pricing_model_list('rates', 'events') }}
        and rating_events.has_value

),

event_amounts as (

    -- their exact sum, and the number of events priced
    select
        event_charges.rated_usage_id,
        cast({{ meterline.sum_amounts('event_charges.event_amount') }} as {{ meterline.amount_type() }})
            as event_amount,
        count(*) as priced_event_count
    from event_charges
    group by event_charges.rated_usage_id

),

priced as (

    select
        counted.*,
        case
            when counted.pricing_model in {{ meterline.pricing_model_list('rates', 'quantity') }}
                then {{ meterline.pricing_model_case('counted.pricing_model', 'amount', ['counted'], 'quantity') }}
            when counted.pricing_model in {{ meterline.pricing_model_list('rates', 'tiers') }}
                then tiered_amounts.tiered_amount
            -- a rated row without events (no usage in the period) costs nothing per event
            when counted.pricing_model in {{ meterline.pricing_model_list('rates', 'events') }}
                then coalesce(event_amounts.event_amount, 0)
        end as model_amount,
        cast(
            case
                when counted.pricing_model in {{ meterline.pricing_model_list('rates', 'events') }}
                    then coalesce(event_amounts.priced_event_count, 0)
            end
            as bigint
        ) as priced_event_count
    from counted
    left join tiered_amounts
        on counted.rated_usage_id = tiered_amounts.rated_usage_id
    left join event_amounts
        on counted.rated_usage_id = event_amounts.rated_usage_id

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
        package_count,
        model_amount,
        tier_scope,
        -- the pricing models' columns (macros/pricing/pricing_models.sql)
        {%- for column in meterline.price_parameters() %}
            {{ column }},
        {%- endfor %}
        priced_event_count
    from clamped

)

select * from final

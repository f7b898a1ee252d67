with

rated_usage as (

    select * from {{ ref('int_rated_usage') }}

),

final as (

    select
        -- contract columns (data contract section 4), in order
        account_id,
        contract_id,
        period_start,
        period_end,
        meter_id,
        price_id,
        dimension_value,
        pricing_model,
        quantity,
        billable_quantity,
        amount,
        currency,

        -- explanation (optional)
        rated_usage_id,
        plan_id,
        event_count,
        unit_amount,
        package_size,
        free_quantity,
        package_count,
        minimum_amount,
        maximum_amount,
        model_amount,
        tier_scope,
        percent_rate,
        per_event_amount,
        per_event_minimum,
        per_event_maximum,
        priced_event_count
    from rated_usage

)

select * from final

with

price_tiers as (

    select * from {{ ref('stg_price_tiers') }}

),

bounded as (

    select
        -- ids
        price_id,
        tier,

        -- numerics
        cast(
            coalesce(lag(up_to) over (partition by price_id order by tier), 0)
            as {{ meterline.quantity_type() }}
        ) as lower_bound,
        up_to,
        unit_amount,
        flat_amount,

        -- flags
        row_number() over (partition by price_id order by tier) = 1 as is_first_tier
    from price_tiers

)

select * from bounded

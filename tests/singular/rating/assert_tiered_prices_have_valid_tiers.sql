-- Fails for tiered prices (pricing_models(), rates: tiers) without tiers, tiers not numbered 1..n, up_to not
-- strictly increasing, or an unbounded tier that is not the last.
with

prices as (

    select * from {{ ref('stg_prices') }}
    where pricing_model in {{ meterline.pricing_model_list('rates', 'tiers') }}

),

tiers as (

    select
        price_id,
        tier,
        up_to,
        row_number() over (partition by price_id order by tier) as tier_position,
        lag(up_to) over (partition by price_id order by tier) as previous_up_to,
        count(*) over (partition by price_id) as tier_count
    from {{ ref('stg_price_tiers') }}

)

select
    prices.price_id,
    cast(null as integer) as tier,
    'no tiers' as problem
from prices
left join tiers
    on prices.price_id = tiers.price_id
where tiers.price_id is null
union all
select
    price_id,
    tier,
    case
        when tier <> tier_position then 'tiers not numbered 1..n'
        when up_to is null and tier_position < tier_count then 'unbounded tier before the last'
        else 'up_to not increasing'
    end as problem
from tiers
where
    tier <> tier_position
    or (up_to is null and tier_position < tier_count)
    or (up_to is not null and up_to <= coalesce(previous_up_to, 0) and tier_position > 1)
    or (up_to is not null and up_to <= 0)

-- Fails for every tiered charge whose tier breakdown does not add up to its amount before
-- minimum/maximum.
with

rated_usage as (

    select * from {{ ref('fct_rated_usage') }}
    where pricing_model in ('graduated', 'volume')

),

tier_totals as (

    select
        rated_usage_id,
        sum(tier_amount) as tier_total
    from {{ ref('fct_rated_usage_tiers') }}
    group by rated_usage_id

)

select
    rated_usage.rated_usage_id,
    rated_usage.model_amount,
    tier_totals.tier_total
from rated_usage
left join tier_totals
    on rated_usage.rated_usage_id = tier_totals.rated_usage_id
where tier_totals.tier_total is null or tier_totals.tier_total <> rated_usage.model_amount

-- Configuration error (data contract section 2): two usage prices of the same contract or
-- plan for the same (meter_id, dimension_value) with overlapping effective ranges.
with

prices as (

    select * from {{ ref('stg_prices') }}
    where charge_type = 'usage'

)

select
    first_price.price_id,
    second_price.price_id as overlapping_price_id
from prices as first_price
inner join prices as second_price
    on
        first_price.price_id < second_price.price_id
        and coalesce(first_price.plan_id, '') = coalesce(second_price.plan_id, '')
        and coalesce(first_price.contract_id, '') = coalesce(second_price.contract_id, '')
        and first_price.meter_id = second_price.meter_id
        and (
            first_price.dimension_value = second_price.dimension_value
            or (first_price.dimension_value is null and second_price.dimension_value is null)
        )
        and (
            first_price.effective_to is null
            or second_price.effective_from is null
            or first_price.effective_to > second_price.effective_from
        )
        and (
            second_price.effective_to is null
            or first_price.effective_from is null
            or first_price.effective_from < second_price.effective_to
        )

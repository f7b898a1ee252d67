{#
    What gets rated: one row per contract, period, usage price and rated group.

    Each group of usage lands in the rated row int_rating_groups gives it: its own
    (the group's quantity), or its price's pool (tier_scope = meter: the meter aggregated
    over the pooled groups' events together, as if it had no group_by; a pooled
    unique_count or max is not a sum of groups). A price that got no usage in the period
    still gets one row with quantity 0, so that tier-1 flat fees and minimum amounts are
    billed: a group-specific price with its dimension_value, a default price with null.
#}

with

contract_prices as (

    select * from {{ ref('int_contract_prices') }}

),

rating_groups as (

    select * from {{ ref('int_rating_groups') }}

),

rating_events as (

    select * from {{ ref('int_rating_events') }}

),

usage_prices as (

    select * from contract_prices
    where charge_type = 'usage'

),

group_quantities as (

    select
        rated_usage_id,
        price_id,
        contract_id,
        period_start,
        rated_dimension_value as dimension_value,
        quantity,
        event_count
    from rating_groups
    where not is_pooled

),

pooled_events as (

    select * from rating_events
    where is_pooled

),

pooled_aggregates as (

    {{ meterline.aggregate_meter_values('pooled_events', [
        'rated_usage_id', 'price_id', 'contract_id', 'period_start', 'meter_id', 'aggregation',
    ]) }}

),

pooled_quantities as (

    select
        rated_usage_id,
        price_id,
        contract_id,
        period_start,
        cast(null as {{ dbt.type_string() }}) as dimension_value,
        quantity,
        event_count
    from pooled_aggregates

),

rated_quantities as (

    select * from group_quantities
    union all
    select * from pooled_quantities

),

priced_groups as (

    select
        usage_prices.price_id,
        usage_prices.contract_id,
        usage_prices.period_start,
        case
            when rated_quantities.price_id is null then usage_prices.dimension_value
            else rated_quantities.dimension_value
        end as dimension_value,
        -- 0 for a price without usage; a quantity that did not fit quantity_type stays null
        case when rated_quantities.price_id is null then 0 else rated_quantities.quantity end as quantity,
        coalesce(rated_quantities.event_count, 0) as event_count
    from usage_prices
    left join rated_quantities
        on
            usage_prices.price_id = rated_quantities.price_id
            and usage_prices.contract_id = rated_quantities.contract_id
            and usage_prices.period_start = rated_quantities.period_start

),

final as (

    select
        -- ids
        {{ meterline.surrogate_key([
            'usage_prices.contract_id', 'usage_prices.period_start',
            'usage_prices.price_id', 'priced_groups.dimension_value'
        ]) }} as rated_usage_id,
        usage_prices.account_id,
        usage_prices.contract_id,
        usage_prices.plan_id,
        usage_prices.meter_id,
        usage_prices.price_id,

        -- dates
        usage_prices.period_start,
        usage_prices.period_end,

        -- definition
        priced_groups.dimension_value,
        usage_prices.pricing_model,
        usage_prices.tier_scope,

        -- numerics
        cast(priced_groups.quantity as {{ meterline.quantity_type() }}) as quantity,
        cast(priced_groups.event_count as bigint) as event_count,
        -- the pricing models' columns (macros/pricing/pricing_models.sql)
        {%- for column in meterline.price_parameters() %}
            usage_prices.{{ column }},
        {%- endfor %}

        -- money
        usage_prices.currency
    from priced_groups
    inner join usage_prices
        on
            priced_groups.price_id = usage_prices.price_id
            and priced_groups.contract_id = usage_prices.contract_id
            and priced_groups.period_start = usage_prices.period_start

)

select * from final

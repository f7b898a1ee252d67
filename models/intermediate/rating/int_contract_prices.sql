{#
    The prices that apply to each contract period after overrides.

    A price applies to the whole period when it is in effect on the period's
    first covered day (the period's first day, or the contract's first day
    inside it). A contract's own usage price replaces the plan's price for the
    same (meter_id, dimension_value); a contract's fixed prices replace the
    plan's fixed prices as a whole. A one-time price (section 7.2) applies once, to the
    period that contains its bill_on (empty: the contract's first day), and is never
    replaced: a contract's one-time prices add to its plan's.
#}

with

contract_periods as (

    select * from {{ ref('int_contract_periods') }}

),

prices as (

    select * from {{ ref('stg_prices') }}

),

candidates as (

    select
        -- ids
        contract_periods.account_id,
        contract_periods.contract_id,
        contract_periods.plan_id,
        prices.price_id,
        prices.meter_id,

        -- definition
        prices.charge_type,
        prices.dimension_value,
        prices.pricing_model,
        prices.tier_scope,
        case when prices.contract_id is not null then 0 else 1 end as source_rank,

        -- numerics
        -- the pricing models' columns (macros/pricing/pricing_models.sql)
        {%- for column in meterline.price_parameters() %}
            prices.{{ column }},
        {%- endfor %}
        prices.fixed_amount,
        prices.bill_on,
        contract_periods.covered_days,
        contract_periods.period_days,

        -- dates
        contract_periods.period_start,
        contract_periods.period_end,
        contract_periods.coverage_start,
        contract_periods.coverage_end,

        -- money
        contract_periods.currency
    from contract_periods
    inner join prices
        on (
            contract_periods.contract_id = prices.contract_id
            or (prices.contract_id is null and contract_periods.plan_id = prices.plan_id)
        )
        and (prices.effective_from is null or contract_periods.coverage_start >= prices.effective_from)
        and (prices.effective_to is null or contract_periods.coverage_start < prices.effective_to)
        and (
            prices.charge_type <> 'one_time'
            or (
                coalesce(prices.bill_on, contract_periods.contract_starts_on) >= contract_periods.period_start
                and coalesce(prices.bill_on, contract_periods.contract_starts_on) < contract_periods.period_end
            )
        )

),

ranked as (

    select
        *,
        -- usage: per (meter, group) key; fixed: all fixed prices of the contract together.
        -- rank(), not row_number(): two prices of one source for one key is a configuration
        -- error that must stay visible (the marts' unique tests fail), never a silent pick.
        rank() over (
            partition by
                contract_id,
                period_start,
                charge_type,
                case when charge_type = 'usage' then meter_id end,
                case when charge_type = 'usage' then dimension_value is null end,
                case when charge_type = 'usage' then coalesce(dimension_value, '') end,
                case when charge_type = 'one_time' then price_id end
            order by source_rank
        ) as override_rank
    from candidates

),

final as (

    select
        -- ids
        account_id,
        contract_id,
        plan_id,
        price_id,
        meter_id,

        -- definition
        charge_type,
        dimension_value,
        pricing_model,
        tier_scope,
        source_rank = 0 as is_contract_price,

        -- numerics
        {%- for column in meterline.price_parameters() %}
            {{ column }},
        {%- endfor %}
        fixed_amount,
        bill_on,
        covered_days,
        period_days,

        -- dates
        period_start,
        period_end,
        coverage_start,
        coverage_end,

        -- money
        currency
    from ranked
    where override_rank = 1

)

select * from final

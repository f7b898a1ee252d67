-- Configuration error (data contract 7.2): a one_time price billed on a day its contract does
-- not cover. bill_on (null = the contract's starts_on) must lie in [starts_on, ends_on) of
-- the price's contract, or of every contract of the price's plan; one row per price and
-- contract it does not fit.
with

prices as (

    select * from {{ ref('stg_prices') }}
    where charge_type = 'one_time'

),

contracts as (

    select * from {{ ref('stg_contracts') }}

),

priced_contracts as (

    select
        -- ids
        prices.price_id,
        contracts.contract_id,

        -- dates
        prices.bill_on,
        coalesce(prices.bill_on, contracts.starts_on) as billed_on,
        contracts.starts_on as contract_starts_on,
        contracts.ends_on as contract_ends_on
    from prices
    inner join contracts
        on
            prices.contract_id = contracts.contract_id
            or prices.plan_id = contracts.plan_id

),

checked as (

    select
        price_id,
        contract_id,
        bill_on,
        contract_starts_on,
        contract_ends_on,
        case
            when billed_on < contract_starts_on
                then 'bill_on before the contract starts'
            when contract_ends_on is not null and billed_on >= contract_ends_on
                then 'bill_on on or after the contract ends'
        end as problem
    from priced_contracts

)

select * from checked
where problem is not null

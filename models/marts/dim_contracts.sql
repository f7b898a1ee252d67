{#
    Grain: contract (key contract_id). Every contract with its plan's name and currency and
    its billing cadence, so that readers of the marts (BI, the semantic layer) can group
    invoice lines and commitment movements by plan.
#}

with

contracts as (

    select * from {{ ref('stg_contracts') }}

),

plans as (

    select * from {{ ref('stg_plans') }}

),

described as (

    select
        -- ids
        contracts.contract_id,
        contracts.account_id,
        contracts.plan_id,

        -- plan
        plans.plan_name,
        plans.currency as plan_currency,

        -- dates
        contracts.starts_on,
        contracts.ends_on,

        -- billing cadence
        contracts.bill_frequency
    from contracts
    left join plans
        on contracts.plan_id = plans.plan_id

)

select * from described

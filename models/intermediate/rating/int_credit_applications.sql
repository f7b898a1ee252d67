{#
    Prepaid credit applied to invoices: one row per invoice and grant that
    paid part of it.

    Allocation is sequential: a grant's balance in a period is what earlier
    periods left. meterline.allocate_credits unrolls it into one plain-SQL step
    per period of an account's credit history (period_sequence), portable to
    every engine, unlike recursive CTEs; the number of steps is read from
    int_credit_eligibility when the model runs (credit_allocation_steps).
#}

{%- set steps = meterline.credit_allocation_steps(ref('int_credit_eligibility')) %}

with

eligibility as (

    select * from {{ ref('int_credit_eligibility') }}

),

credit_grants as (

    select * from {{ ref('stg_credit_grants') }}

),

applications as (

    {{ meterline.allocate_credits('eligibility', 'credit_grants', steps) }}

),

final as (

    select
        -- ids
        eligibility.invoice_id,
        eligibility.account_id,
        eligibility.currency,
        eligibility.grant_id,

        -- dates
        eligibility.period_start,
        eligibility.period_end,

        -- ordering
        applications.period_sequence,
        applications.grant_rank,

        -- numerics
        applications.applied_amount
    from applications
    inner join eligibility
        on
            applications.invoice_id = eligibility.invoice_id
            and applications.grant_id = eligibility.grant_id
    where applications.applied_amount > 0

)

select * from final

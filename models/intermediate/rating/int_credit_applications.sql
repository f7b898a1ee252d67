{#
    Prepaid credit applied to invoices: one row per invoice and grant that
    paid part of it.

    Allocation is sequential: a grant's balance in a period is what earlier
    periods left, starting from what frozen invoices' credit lines left (frozen
    invoices are not allocated again; see int_credit_eligibility). meterline.allocate_credits unrolls it into one plain-SQL step
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

frozen_credit_applications as (

    select * from {{ ref('int_frozen_credit_applications') }}

),

frozen_applied as (

    select
        grant_id,
        sum(applied_amount) as applied_amount
    from frozen_credit_applications
    group by grant_id

),

grant_balances as (

    select
        credit_grants.grant_id,
        credit_grants.amount - coalesce(frozen_applied.applied_amount, 0) as amount
    from credit_grants
    left join frozen_applied
        on credit_grants.grant_id = frozen_applied.grant_id

),

applications as (

    {{ meterline.allocate_credits('eligibility', 'grant_balances', steps) }}

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

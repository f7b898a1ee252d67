-- Fails for ledger entries with a negative balance, a balance that is not the
-- running sum of the grant's entries, or grants applied beyond their amount.
with

ledger as (

    select * from {{ ref('fct_credit_ledger') }}

),

credit_grants as (

    select * from {{ ref('stg_credit_grants') }}

),

running as (

    select
        grant_id,
        entry_sequence,
        balance_after,
        sum(amount) over (
            partition by grant_id
            order by entry_sequence
            rows between unbounded preceding and current row
        ) as running_balance
    from ledger

),

applied as (

    select
        grant_id,
        -sum(amount) as applied_amount
    from ledger
    where entry_type = 'applied'
    group by grant_id

)

select
    'negative or inconsistent balance' as problem,
    grant_id,
    balance_after as amount
from running
where balance_after < 0 or balance_after <> running_balance
union all
select
    'applied more than granted' as problem,
    applied.grant_id,
    applied.applied_amount as amount
from applied
left join credit_grants
    on applied.grant_id = credit_grants.grant_id
where credit_grants.grant_id is null or applied.applied_amount > credit_grants.amount

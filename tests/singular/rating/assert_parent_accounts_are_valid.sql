-- Configuration error (data contract 7.4): an account with a bill_to other than self or
-- parent, billed to its parent without a parent, whose parent is not an account, is the
-- account itself or has a parent of its own. One row per account and problem;
-- child_account_id names a child of a parent that has a parent.
-- Runs after {{ ref('stg_credit_grants') }}: a failure skips only the models built from both,
-- the invoices (which the grants pay), never the ingestion and rating of usage.
with

accounts as (

    select * from {{ ref('stg_accounts') }}

),

account_checks as (

    select
        accounts.account_id,
        accounts.parent_account_id,
        accounts.bill_to,
        cast(null as {{ dbt.type_string() }}) as child_account_id,
        case
            when accounts.bill_to not in ('self', 'parent')
                then 'bill_to is not self or parent'
            when accounts.parent_account_id = accounts.account_id
                then 'the account is its own parent'
            when accounts.parent_account_id is not null and parents.account_id is null
                then 'parent_account_id is not an account of accounts.csv'
            when accounts.bill_to = 'parent' and accounts.parent_account_id is null
                then 'bill_to parent without a parent_account_id'
        end as problem
    from accounts
    left join accounts as parents
        on accounts.parent_account_id = parents.account_id

),

parents_with_parents as (

    select
        parents.account_id,
        parents.parent_account_id,
        parents.bill_to,
        children.account_id as child_account_id,
        'a parent has no parent: this account is the parent of child_account_id' as problem
    from accounts as children
    inner join accounts as parents
        on children.parent_account_id = parents.account_id
    where
        children.account_id <> parents.account_id
        and parents.parent_account_id is not null

),

failures as (

    select * from account_checks
    where problem is not null
    union all
    select * from parents_with_parents

)

select * from failures

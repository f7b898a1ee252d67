-- Configuration error (data contract 7.4): a credit grant of an account billed to its
-- parent. The parent's grants pay the invoice that carries the child's lines; the child has
-- no invoice of its own for a grant to pay. One row per grant; a failure skips the invoices
-- (the models built from both), never the ingestion and rating of usage.
with

grants as (

    select * from {{ ref('stg_credit_grants') }}

),

accounts as (

    select * from {{ ref('stg_accounts') }}

),

checked as (

    select
        grants.grant_id,
        grants.account_id,
        accounts.bill_to_account_id,
        'the account is billed to its parent: grant the credit to bill_to_account_id' as problem
    from grants
    inner join accounts
        on grants.account_id = accounts.account_id
    where accounts.bill_to_account_id <> accounts.account_id

)

select * from checked

{#
    Grain: account (key account_id). Every account of seeds/accounts.csv with what readers
    outside dbt need: its name, its Stripe customer (the Stripe push), its parent and the
    account billed for its usage (data contract 7.4), its billing time zone.
#}

with

accounts as (

    select * from {{ ref('stg_accounts') }}

),

final as (

    select
        -- ids
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(stripe_customer_id as {{ dbt.type_string() }}) as stripe_customer_id,
        cast(parent_account_id as {{ dbt.type_string() }}) as parent_account_id,
        cast(bill_to_account_id as {{ dbt.type_string() }}) as bill_to_account_id,

        -- text
        cast(account_name as {{ dbt.type_string() }}) as account_name,
        cast(billing_timezone as {{ dbt.type_string() }}) as billing_timezone,
        cast(bill_to as {{ dbt.type_string() }}) as bill_to
    from accounts

)

select * from final

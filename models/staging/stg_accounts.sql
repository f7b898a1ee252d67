with

source as (

    select * from {{ ref('accounts') }}

),

renamed as (

    select
        -- ids
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(stripe_customer_id as {{ dbt.type_string() }}) as stripe_customer_id,

        -- text
        cast(account_name as {{ dbt.type_string() }}) as account_name,
        cast(coalesce(billing_timezone, 'UTC') as {{ dbt.type_string() }}) as billing_timezone
    from source

)

select * from renamed

with

source as (

    select * from {{ ref('credit_grants') }}

),

renamed as (

    select
        -- ids
        cast(grant_id as {{ dbt.type_string() }}) as grant_id,
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(upper(currency) as {{ dbt.type_string() }}) as currency,

        -- numerics
        -- a value the engine cannot hold exactly is null here; the seed's test names it
        {{ meterline.seed_value('amount', 'money') }} as amount,
        cast(priority as integer) as priority,

        -- dates
        cast(effective_on as date) as effective_on,
        cast(expires_on as date) as expires_on
    from source

)

select * from renamed

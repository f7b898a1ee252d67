with

source as (

    select * from {{ ref('contracts') }}

),

renamed as (

    select
        -- ids
        cast(contract_id as {{ dbt.type_string() }}) as contract_id,
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(plan_id as {{ dbt.type_string() }}) as plan_id,

        -- numerics
        -- a value the engine cannot hold exactly is null here; the seed's test names it
        {{ meterline.seed_value('minimum_commitment', 'money') }} as minimum_commitment,
        {{ meterline.seed_value('discount_percent', 'percent') }} as discount_percent,

        -- dates
        cast(starts_on as date) as starts_on,
        cast(ends_on as date) as ends_on
    from source

)

select * from renamed

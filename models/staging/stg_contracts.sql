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
        cast(minimum_commitment as {{ meterline.money_type() }}) as minimum_commitment,
        cast(discount_percent as decimal(9, 4)) as discount_percent,

        -- dates
        cast(starts_on as date) as starts_on,
        cast(ends_on as date) as ends_on
    from source

)

select * from renamed

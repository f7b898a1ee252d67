with

source as (

    select * from {{ ref('plans') }}

),

renamed as (

    select
        -- ids
        cast(plan_id as {{ dbt.type_string() }}) as plan_id,

        -- text
        cast(plan_name as {{ dbt.type_string() }}) as plan_name,
        cast(upper(currency) as {{ dbt.type_string() }}) as currency
    from source

)

select * from renamed

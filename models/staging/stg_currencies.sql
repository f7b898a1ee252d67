with

source as (

    select * from {{ ref('currencies') }}

),

renamed as (

    select
        -- ids
        cast(upper(currency) as {{ dbt.type_string() }}) as currency,

        -- numerics
        cast(minor_units as integer) as minor_units
    from source

)

select * from renamed

with

source as (

    select * from {{ ref('price_tiers') }}

),

renamed as (

    select
        -- ids
        cast(price_id as {{ dbt.type_string() }}) as price_id,
        cast(tier as integer) as tier,

        -- numerics
        cast(up_to as {{ meterline.quantity_type() }}) as up_to,
        cast(unit_amount as {{ meterline.unit_price_type() }}) as unit_amount,
        cast(flat_amount as {{ meterline.money_type() }}) as flat_amount
    from source

)

select * from renamed

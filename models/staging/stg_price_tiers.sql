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
        -- a value the engine cannot hold exactly is null here; the seed's test names it
        {{ meterline.seed_value('up_to', 'quantity') }} as up_to,
        {{ meterline.seed_value('unit_amount', 'unit_price') }} as unit_amount,
        {{ meterline.seed_value('flat_amount', 'money') }} as flat_amount
    from source

)

select * from renamed

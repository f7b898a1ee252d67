with

source as (

    select * from {{ ref('prices') }}

),

renamed as (

    select
        -- ids
        cast(price_id as {{ dbt.type_string() }}) as price_id,
        cast(plan_id as {{ dbt.type_string() }}) as plan_id,
        cast(contract_id as {{ dbt.type_string() }}) as contract_id,
        cast(meter_id as {{ dbt.type_string() }}) as meter_id,

        -- definition
        cast(lower(charge_type) as {{ dbt.type_string() }}) as charge_type,
        cast(dimension_value as {{ dbt.type_string() }}) as dimension_value,
        cast(lower(pricing_model) as {{ dbt.type_string() }}) as pricing_model,

        -- numerics
        cast(unit_amount as {{ meterline.unit_price_type() }}) as unit_amount,
        cast(package_size as {{ meterline.quantity_type() }}) as package_size,
        cast(free_quantity as {{ meterline.quantity_type() }}) as free_quantity,
        cast(fixed_amount as {{ meterline.money_type() }}) as fixed_amount,
        cast(minimum_amount as {{ meterline.money_type() }}) as minimum_amount,
        cast(maximum_amount as {{ meterline.money_type() }}) as maximum_amount,

        -- dates
        cast(effective_from as date) as effective_from,
        cast(effective_to as date) as effective_to
    from source

)

select * from renamed

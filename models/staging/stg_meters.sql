with

source as (

    select * from {{ ref('meters') }}

),

renamed as (

    select
        -- ids
        cast(meter_id as {{ dbt.type_string() }}) as meter_id,
        cast(event_type as {{ dbt.type_string() }}) as event_type,

        -- definition
        cast(lower(aggregation) as {{ dbt.type_string() }}) as aggregation,
        cast(value_property as {{ dbt.type_string() }}) as value_property,
        cast(group_by as {{ dbt.type_string() }}) as group_by,
        cast(unit as {{ dbt.type_string() }}) as unit,
        cast(description as {{ dbt.type_string() }}) as description
    from source

)

select * from renamed

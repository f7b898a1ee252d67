with

source as (

    select * from {{ ref('meter_filters') }}

),

meters as (

    select * from {{ ref('stg_meters') }}

),

renamed as (

    select
        -- ids
        cast(source.meter_id as {{ dbt.type_string() }}) as meter_id,

        -- the filter (property and value are data, matched at run time: DECISIONLOG "Meter filters")
        cast(source.property as {{ dbt.type_string() }}) as property,
        cast(lower(source.operator) as {{ dbt.type_string() }}) as operator,
        cast(source.value as {{ dbt.type_string() }}) as filter_value,

        -- checks
        meters.meter_id is not null as is_known_meter
    from source
    left join meters
        on source.meter_id = meters.meter_id

)

select * from renamed

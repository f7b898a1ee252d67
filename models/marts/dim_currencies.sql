{#
    Grain: currency (key currency). Every currency the project bills in with the digits of
    its minor unit: how the Stripe push turns an amount into minor units and how readers
    show money.
#}

with

currencies as (

    select * from {{ ref('stg_currencies') }}

),

final as (

    select
        -- ids
        cast(currency as {{ dbt.type_string() }}) as currency,

        -- numerics
        cast(minor_units as integer) as minor_units
    from currencies

)

select * from final

{#- columns added in v1.1 (data contract 7) are optional in the seed file -#}
{%- set seed_columns = meterline.seed_column_names(ref('prices')) -%}

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
        cast(
            coalesce(lower({{ meterline.optional_seed_column(seed_columns, 'tier_scope', dbt.type_string()) }}), 'group')
            as {{ dbt.type_string() }}
        ) as tier_scope,

        -- numerics: the price columns of the pricing models (macros/pricing/pricing_models.sql)
        -- and the fixed amount; a value the engine cannot hold exactly is null here and the
        -- seed's test names it
        {%- for column, kind in meterline.price_parameters().items() %}
        {{ meterline.seed_value(
            meterline.optional_seed_column(seed_columns, column, 'decimal(38, 18)'), kind
        ) }} as {{ column }},
        {%- endfor %}
        {{ meterline.seed_value('fixed_amount', 'money') }} as fixed_amount,

        -- dates
        cast(effective_from as date) as effective_from,
        cast(effective_to as date) as effective_to,
        -- one_time only: the day it is billed (null = the contract's starts_on)
        cast({{ meterline.optional_seed_column(seed_columns, 'bill_on', 'date') }} as date) as bill_on
    from source

)

select * from renamed

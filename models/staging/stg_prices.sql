{#- columns added in v1.1 (data contract 7.7, 7.8) are optional in the seed file -#}
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

        -- numerics
        -- a value the engine cannot hold exactly is null here; the seed's test names it
        {{ meterline.seed_value('unit_amount', 'unit_price') }} as unit_amount,
        {{ meterline.seed_value('package_size', 'quantity') }} as package_size,
        {{ meterline.seed_value('free_quantity', 'quantity') }} as free_quantity,
        {{ meterline.seed_value('fixed_amount', 'money') }} as fixed_amount,
        {{ meterline.seed_value('minimum_amount', 'money') }} as minimum_amount,
        {{ meterline.seed_value('maximum_amount', 'money') }} as maximum_amount,
        {%- for column, kind in [
            ('percent_rate', 'percent'), ('per_event_amount', 'money'),
            ('per_event_minimum', 'money'), ('per_event_maximum', 'money'),
        ] %}
        {{ meterline.seed_value(
            meterline.optional_seed_column(seed_columns, column, 'decimal(38, 18)'), kind
        ) }} as {{ column }},
        {%- endfor %}

        -- dates
        cast(effective_from as date) as effective_from,
        cast(effective_to as date) as effective_to
    from source

)

select * from renamed

{#
    Grain: meter (key meter_id). Every meter with its aggregation's properties from the
    registry (macros/ingestion/aggregations.sql), for readers that cannot call macros (the
    report): whether its figures add up over groups and days, and how its groups combine.
#}

{%- set registry = meterline.aggregations() %}

with

meters as (

    select * from {{ ref('stg_meters') }}

),

described as (

    select
        -- ids
        meter_id,
        event_type,

        -- definition
        aggregation,
        value_property,
        group_by,
        unit,
        description,

        -- the aggregation's properties
        case aggregation
            {%- for name in registry | sort %}
                when '{{ name }}' then {{ 'true' if registry[name]['gauge'] else 'false' }}
            {%- endfor %}
        end as is_gauge,
        case aggregation
            {%- for name in registry | sort %}
                when '{{ name }}' then {{ 'true' if registry[name]['additive'] else 'false' }}
            {%- endfor %}
        end as is_additive,
        case aggregation
            {%- for name in registry | sort if registry[name]['group_total'] is not none %}
                when '{{ name }}' then '{{ registry[name]['group_total'] }}'
            {%- endfor %}
        end as group_total
    from meters

),

final as (

    select
        -- ids
        cast(meter_id as {{ dbt.type_string() }}) as meter_id,
        cast(event_type as {{ dbt.type_string() }}) as event_type,

        -- definition
        cast(aggregation as {{ dbt.type_string() }}) as aggregation,
        cast(value_property as {{ dbt.type_string() }}) as value_property,
        cast(group_by as {{ dbt.type_string() }}) as group_by,
        cast(unit as {{ dbt.type_string() }}) as unit,
        cast(description as {{ dbt.type_string() }}) as description,

        -- properties
        cast(is_gauge as boolean) as is_gauge,
        cast(is_additive as boolean) as is_additive,
        cast(group_total as {{ dbt.type_string() }}) as group_total
    from described

)

select * from final

{#
    Meter definitions are well formed: value_property is set unless the aggregation reads
    no value (value_kind none in the registry, macros/ingestion/aggregations.sql: count),
    and null for those, group_by has no empty property name. Names with blanks at
    either end (which would silently miss a property) are named by the meters seed's
    seed_values_valid test (seeds/_seeds__seeds.yml).
#}
{% test meter_definition_is_valid(model) %}

with

meters as (

    select * from {{ model }}

),

problems as (

    select
        meter_id,
        case
            when
                aggregation not in {{ meterline.aggregation_list('value_kind', 'none') }}
                and (value_property is null or trim(value_property) = '')
                then 'value_property required'
            when aggregation in {{ meterline.aggregation_list('value_kind', 'none') }} and value_property is not null
                then 'value_property must be empty for ' || aggregation
            when group_by is not null and (
                group_by = '' or group_by like '|%' or group_by like '%|' or group_by like '%||%'
            )
                then 'empty name in group_by'
            when event_type is null or trim(event_type) = ''
                then 'event_type required'
        end as problem
    from meters

)

select * from problems
where problem is not null

{% endtest %}

{#- Every metered quantity that rating prices: the meters defined in seeds/meters.csv
    (int_meter_usage; gauges: int_gauge_usage) and the custom SQL meters named in var `custom_meter_models`. Each custom
    meter model returns account_id, contract_id, meter_id, period_start, period_end,
    dimension_value, quantity and event_count (README "A custom SQL meter"). The var is read at
    parse time, so every listed model is a real dependency of this one. -#}
{%- set custom_meter_models = var('custom_meter_models', []) -%}

with

meter_usage as (

    select * from {{ ref('int_meter_usage') }}

),

-- gauges (time_weighted, peak) are aggregated over days, apart (DECISIONLOG "Gauges: time_weighted and peak")
gauge_usage as (

    select * from {{ ref('int_gauge_usage') }}

),

{% for model_name in custom_meter_models %}
custom_meter_{{ loop.index }} as (

    select * from {{ ref(model_name) }}

),

{% endfor -%}

contracts as (

    select * from {{ ref('stg_contracts') }}

),

meters as (

    select * from {{ ref('stg_meters') }}

),

custom_usage as (

    {% for model_name in custom_meter_models -%}
        select
            custom_meter_{{ loop.index }}.account_id,
            custom_meter_{{ loop.index }}.contract_id,
            custom_meter_{{ loop.index }}.meter_id,
            custom_meter_{{ loop.index }}.period_start,
            custom_meter_{{ loop.index }}.period_end,
            custom_meter_{{ loop.index }}.dimension_value,
            custom_meter_{{ loop.index }}.quantity,
            custom_meter_{{ loop.index }}.event_count
        from custom_meter_{{ loop.index }}
        {% if not loop.last %}union all{% endif %}
    {% else -%}
        select
            cast(null as {{ dbt.type_string() }}) as account_id,
            cast(null as {{ dbt.type_string() }}) as contract_id,
            cast(null as {{ dbt.type_string() }}) as meter_id,
            cast(null as date) as period_start,
            cast(null as date) as period_end,
            cast(null as {{ dbt.type_string() }}) as dimension_value,
            cast(null as {{ meterline.quantity_type() }}) as quantity,
            cast(null as bigint) as event_count
        from meters
        where 1 = 0
    {%- endfor %}

),

custom_usage_enriched as (

    select
        -- ids
        custom_usage.account_id,
        custom_usage.contract_id,
        contracts.plan_id,
        custom_usage.meter_id,
        meters.aggregation,

        -- period
        custom_usage.period_start,
        custom_usage.period_end,

        -- group
        custom_usage.dimension_value,

        -- numerics
        cast(custom_usage.quantity as {{ meterline.quantity_type() }}) as quantity,
        cast(custom_usage.event_count as bigint) as event_count,

        -- timestamps
        cast(null as {{ dbt.type_timestamp() }}) as last_landed_at
    from custom_usage
    inner join contracts
        on custom_usage.contract_id = contracts.contract_id
    left join meters
        on custom_usage.meter_id = meters.meter_id

),

-- the meters of meters.csv, the custom SQL meters and the gauges, in the same columns
unioned as (

    {% for source in ['meter_usage', 'custom_usage_enriched', 'gauge_usage'] -%}
        select
            account_id,
            contract_id,
            plan_id,
            meter_id,
            aggregation,
            period_start,
            period_end,
            dimension_value,
            quantity,
            event_count,
            last_landed_at
        from {{ source }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select * from unioned

-- One row per usage price that its pricing model cannot rate, naming the price and the
-- problem: a model not in pricing_models(), a column the model requires left empty (or one
-- it forbids set, or a package_size not above zero), a meter whose aggregation the model
-- cannot price (percentage: sum meters), and a pooled price (tier_scope meter, data
-- contract 7.8) with its own dimension_value, on a custom SQL meter or on a gauge (a pool is
-- aggregated again from its events).
with

prices as (

    select * from {{ ref('stg_prices') }}
    where charge_type = 'usage'

),

meters as (

    select * from {{ ref('stg_meters') }}

),

checked as (

    select
        prices.price_id,
        prices.pricing_model,
        case
            when prices.pricing_model is null or prices.pricing_model not in {{ meterline.pricing_model_list() }}
                then 'unknown pricing_model'
            when not ({{ meterline.pricing_model_columns_valid('prices.pricing_model') }})
                then 'columns do not fit the pricing model (macros/pricing/pricing_models.sql)'
            {%- for name, model in meterline.pricing_models().items() if model.get('meter_aggregations') %}
                when
                    prices.pricing_model = '{{ name }}'
                    and coalesce(meters.aggregation, '') not in ('{{ model.meter_aggregations | join("', '") }}')
                    then 'a {{ name }} price needs a meter aggregated by {{ model.meter_aggregations | join(" or ") }}'
            {%- endfor %}
            when prices.tier_scope = 'meter' and prices.dimension_value is not null
                then 'tier_scope meter pools every group: dimension_value must be empty'
            when prices.tier_scope = 'meter' and meters.meter_id is null
                then 'tier_scope meter needs a meter of meters.csv (the pool is aggregated from its events)'
            when prices.tier_scope = 'meter' and meters.aggregation in {{ meterline.aggregation_list('gauge') }}
                then 'tier_scope meter cannot pool a gauge (its value is carried per group, not per event)'
        end as problem
    from prices
    left join meters
        on prices.meter_id = meters.meter_id

)

select * from checked
where problem is not null

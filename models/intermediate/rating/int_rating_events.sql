{#
    The events of every rated row that is rated from its events (int_rating_groups:
    pooled prices, data contract 7.8, and pricing models that price each event, such as
    percentage, 7.7). Grain: event value and rated row: an event of a meter lands in one
    rated row per contract period.
#}

with

rating_groups as (

    select * from {{ ref('int_rating_groups') }}
    where is_rated_from_events

),

meter_values as (

    select * from {{ ref('int_event_meter_values') }}
    where contract_id is not null

),

joined as (

    select
        -- ids
        rating_groups.rated_usage_id,
        rating_groups.price_id,
        rating_groups.is_pooled,
        meter_values.record_id,
        meter_values.source,
        meter_values.event_id,
        meter_values.account_id,
        meter_values.contract_id,
        meter_values.meter_id,
        meter_values.aggregation,

        -- group
        meter_values.dimension_value,

        -- values
        meter_values.has_value,
        meter_values.value,
        meter_values.value_text,

        -- timestamps and dates
        meter_values.occurred_at,
        meter_values.period_start,
        meter_values.file_landed_at
    from meter_values
    inner join rating_groups
        on
            meter_values.contract_id = rating_groups.contract_id
            and meter_values.period_start = rating_groups.period_start
            and meter_values.meter_id = rating_groups.meter_id
            and (
                meter_values.dimension_value = rating_groups.dimension_value
                or (meter_values.dimension_value is null and rating_groups.dimension_value is null)
            )

)

select * from joined

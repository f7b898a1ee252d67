{#
    Usage that no price in its contract covers for that period and group:
    not billed, reported as `no_price` in audit_unrated_events.
#}

with

meter_usage as (

    select * from {{ ref('int_period_usage') }}

),

rating_groups as (

    select * from {{ ref('int_rating_groups') }}

),

unpriced as (

    select
        -- ids
        meter_usage.account_id,
        meter_usage.contract_id,
        meter_usage.meter_id,

        -- dates
        meter_usage.period_start,
        meter_usage.period_end,

        -- definition
        meter_usage.dimension_value,

        -- numerics
        meter_usage.quantity,
        meter_usage.event_count
    from meter_usage
    -- a group is priced when int_rating_groups found it a price (the one place prices match)
    left join rating_groups
        on
            meter_usage.contract_id = rating_groups.contract_id
            and meter_usage.period_start = rating_groups.period_start
            and meter_usage.meter_id = rating_groups.meter_id
            and (
                meter_usage.dimension_value = rating_groups.dimension_value
                or (meter_usage.dimension_value is null and rating_groups.dimension_value is null)
            )
    where rating_groups.rated_usage_id is null

)

select * from unpriced

{#- The accepted events that are not billed, by reason and meter: those left unrated at intake
    (int_events_unrated: no_meter, no_active_contract, unknown_billing_timezone, filtered_out,
    decided once) and those rating finds no price for (no_price, recomputed on every run from
    the current prices). -#}

with

unrated_at_intake as (

    select * from {{ ref('int_events_unrated') }}
    -- rows with reason null only mark the batches read
    where reason is not null

),

meters as (

    select * from {{ ref('stg_meters') }}

),

meter_values as (

    select * from {{ ref('int_event_meter_values') }}

),

-- reason no_price (rating): read by a meter under a contract, but the contract has no price
-- for that meter and group in that period (one row per event and meter)
unpriced_usage as (

    select * from {{ ref('int_unpriced_usage') }}

),

no_price as (

    select
        meter_values.source,
        meter_values.event_id,
        meter_values.account_id,
        meters.event_type,
        meter_values.occurred_at,
        meter_values.meter_id,
        meter_values.period_start,
        'no_price' as reason
    from meter_values
    inner join meters
        on meter_values.meter_id = meters.meter_id
    inner join unpriced_usage
        on
            meter_values.contract_id = unpriced_usage.contract_id
            and meter_values.meter_id = unpriced_usage.meter_id
            and meter_values.period_start = unpriced_usage.period_start
            and (
                meter_values.dimension_value = unpriced_usage.dimension_value
                or (meter_values.dimension_value is null and unpriced_usage.dimension_value is null)
            )

),

unioned as (

    select
        source,
        event_id,
        account_id,
        event_type,
        occurred_at,
        meter_id,
        period_start,
        reason
    from unrated_at_intake
    union all
    select * from no_price

)

select * from unioned

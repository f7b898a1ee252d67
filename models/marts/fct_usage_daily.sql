{{ config(
    materialized=meterline.event_path_materialization(),
    incremental_strategy='delete+insert',
    unique_key=['account_id', 'usage_date'],
    on_schema_change='fail',
) }}

{#- Incremental (delete+insert by account and day): every account x day that received
    events since it was last computed (late ones included), or whose gauge values changed
    (a late gauge event changes every later day), is recomputed whole. Gauges show the value
    in force on each day (int_gauge_daily_values). -#}

with

meter_values_all as (

    select * from {{ ref('int_event_meter_values') }}

),

gauge_values_all as (

    select * from {{ ref('int_gauge_daily_values') }}

),

touched as (  -- noqa: ST03

    -- read on incremental runs only: the account x day whose event count differs from what
    -- this table holds (new or late events since the last run), and the days whose gauge values
    -- differ from the gauge rows it holds (a late gauge event changes every later day)
    {% if is_incremental() -%}
        {{ meterline.changed_count_keys(
            ref('int_event_meter_values'), this, ['account_id', 'usage_date']
        ) }}
        union
        select
            coalesce(gauge_values_all.account_id, held_gauge_values.account_id) as account_id,
            coalesce(gauge_values_all.usage_date, held_gauge_values.usage_date) as usage_date
        from gauge_values_all
        full outer join (
            -- a gauge meter's rows (its events stay, so it stays in int_gauge_daily_values)
            select held.*
            from {{ this }} as held
            where held.meter_id in (select gauge_meters.meter_id from gauge_values_all as gauge_meters)
        ) as held_gauge_values
            on
                gauge_values_all.account_id = held_gauge_values.account_id
                and gauge_values_all.meter_id = held_gauge_values.meter_id
                and gauge_values_all.usage_date = held_gauge_values.usage_date
                and coalesce(gauge_values_all.dimension_value, '') = coalesce(held_gauge_values.dimension_value, '')
        where
            gauge_values_all.account_id is null
            or held_gauge_values.account_id is null
            or gauge_values_all.quantity <> held_gauge_values.quantity
            or gauge_values_all.event_count <> held_gauge_values.event_count
    {%- else -%}
        select
            account_id,
            usage_date
        from gauge_values_all
        where 1 = 0
    {%- endif %}

),

meter_values as (  -- noqa: ST03

    -- read on incremental runs only: a full build aggregates the table itself (below)
    select meter_values_all.*
    from meter_values_all
    {% if is_incremental() -%}
        inner join touched
            on
                meter_values_all.account_id = touched.account_id
                and meter_values_all.usage_date = touched.usage_date
    {%- endif %}

),

gauge_values as (

    select gauge_values_all.*
    from gauge_values_all
    {% if is_incremental() -%}
        inner join touched
            on
                gauge_values_all.account_id = touched.account_id
                and gauge_values_all.usage_date = touched.usage_date
    {%- endif %}

),

aggregated as (

    {#- the macro reads its input twice (`latest` meters are ranked apart); a full build hands
        it the table itself: DuckDB would copy all events of a CTE read twice before reading.
        It leaves gauges out: they come from gauge_values. -#}
    {{ meterline.aggregate_meter_values(
        'meter_values' if is_incremental() else ref('int_event_meter_values'), [
        'account_id', 'meter_id', 'aggregation', 'usage_date', 'dimension_value',
    ]) }}

),

unioned as (

    select
        account_id,
        meter_id,
        usage_date,
        dimension_value,
        quantity,
        event_count
    from aggregated

    union all

    select
        account_id,
        meter_id,
        usage_date,
        dimension_value,
        quantity,
        event_count
    from gauge_values

),

final as (

    select
        -- ids
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(meter_id as {{ dbt.type_string() }}) as meter_id,

        -- dates (billing time zone)
        cast(usage_date as date) as usage_date,

        -- group
        cast(dimension_value as {{ dbt.type_string() }}) as dimension_value,

        -- numerics
        cast(quantity as {{ meterline.quantity_type() }}) as quantity,
        cast(event_count as bigint) as event_count
    from unioned

)

select * from final

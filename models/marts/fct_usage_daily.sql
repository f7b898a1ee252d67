{{ config(
    materialized=meterline.event_path_materialization(),
    incremental_strategy='delete+insert',
    unique_key=['account_id', 'usage_date'],
    on_schema_change='fail',
) }}

{#- Incremental (delete+insert by account and day): every account x day that received
    events since it was last computed (late ones included) is recomputed whole. -#}

with

meter_values_all as (

    select * from {{ ref('int_event_meter_values') }}

),

meter_values as (  -- noqa: ST03

    -- read on incremental runs only: a full build aggregates the table itself (below)
    -- on an incremental run, only the account x day whose event count differs from what
    -- this table holds (new or late events since the last run)
    select meter_values_all.*
    from meter_values_all
    {% if is_incremental() -%}
        inner join (
            {{ meterline.changed_count_keys(
                ref('int_event_meter_values'), this, ['account_id', 'usage_date']
            ) }}
        ) as touched
            on
                meter_values_all.account_id = touched.account_id
                and meter_values_all.usage_date = touched.usage_date
    {%- endif %}

),

aggregated as (

    {#- the macro reads its input twice (`latest` meters are ranked apart); a full build hands
        it the table itself: DuckDB would copy all events of a CTE read twice before reading -#}
    {{ meterline.aggregate_meter_values(
        'meter_values' if is_incremental() else ref('int_event_meter_values'), [
        'account_id', 'meter_id', 'aggregation', 'usage_date', 'dimension_value',
    ]) }}

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
    from aggregated

)

select * from final

{{ config(
    materialized=meterline.event_path_materialization(),
    incremental_strategy='delete+insert',
    unique_key=['account_id', 'period_start'],
    on_schema_change='fail',
) }}

{#- Incremental (delete+insert by account and period): a period's quantity is computed
    over the whole period (unique_count, max, mean, latest cannot be combined), so every
    account x period that received events since it was last computed is recomputed from
    all its events and replaces its rows. -#}

with

meter_values as (

    select * from {{ ref('int_event_meter_values') }}

),

contracted_all as (

    select * from meter_values
    where contract_id is not null

),

contracted as (  -- noqa: ST03

    -- read on incremental runs only: a full build aggregates the table itself (below)
    -- on an incremental run, only the account x period whose event count differs from what
    -- this table holds: new events (late ones included) since the last run, or a run that
    -- stopped before this model
    select contracted_all.*
    from contracted_all
    {% if is_incremental() -%}
        inner join (
            {{ meterline.changed_count_keys(
                ref('int_event_meter_values'), this, ['account_id', 'period_start'],
                'contract_id is not null and aggregation not in ' ~ meterline.aggregation_list('gauge')
            ) }}
        ) as touched
            on
                contracted_all.account_id = touched.account_id
                and contracted_all.period_start = touched.period_start
    {%- endif %}

),

aggregated as (

    {#- the macro reads its input twice (`latest` meters are ranked apart); a full build hands
        it the table itself (same filter as contracted_all): DuckDB would copy all events of a
        CTE read twice before reading -#}
    {{ meterline.aggregate_meter_values(
        'contracted' if is_incremental()
        else '(select * from ' ~ ref('int_event_meter_values') ~ ' where contract_id is not null)', [
        'account_id', 'contract_id', 'plan_id', 'meter_id', 'aggregation',
        'period_start', 'period_end', 'dimension_value',
    ]) }}

),

final as (

    select
        -- ids
        aggregated.account_id,
        aggregated.contract_id,
        aggregated.plan_id,
        aggregated.meter_id,
        aggregated.aggregation,

        -- period
        aggregated.period_start,
        aggregated.period_end,

        -- group
        aggregated.dimension_value,

        -- numerics
        aggregated.quantity,
        aggregated.event_count,

        -- timestamps
        aggregated.last_landed_at
    from aggregated

)

select * from final

{{ config(
    materialized=meterline.event_path_materialization(),
    incremental_strategy='delete+insert',
    unique_key=['account_id', 'period_start'],
    on_schema_change='fail',
) }}

{#- Incremental (delete+insert by account and period; DECISIONLOG "Period totals from the
    day's events"). batch_loaded_at is the latest batch of a row's events: the rows of
    int_event_meter_values of later batches are the events not taken in yet. For each account x
    period that has such events, the rows are rebuilt: a meter whose aggregation merges (count,
    sum, max: registry `merge`) adds the new events' quantity to the row it holds; any other
    (unique_count, mean, latest, min) is recomputed from all the period's events of the meter;
    the account x period's other rows are kept as they are. The rows equal a full build's. -#}

{#- the meters that merge (registry `merge`: count, sum, max) are those not listed here -#}
{%- set not_merging = meterline.aggregation_list('merge', none) %}
{%- set row_grain = [
    'account_id', 'contract_id', 'plan_id', 'meter_id', 'aggregation',
    'period_start', 'period_end', 'dimension_value',
] %}
{#- a row's columns, as the parts unioned below select them -#}
{%- set row_columns = (row_grain + ['quantity', 'event_count', 'last_landed_at', 'batch_loaded_at']) | join(', ') %}

-- the two branches below hold whole CTEs, at the top level
-- sqlfluff:indentation:template_blocks_indent:false

-- int_event_meter_values is read where needed, never as one CTE read twice: DuckDB would copy
-- every event before reading it
with

{% if is_incremental() -%}

held as (

    select * from {{ this }}

),

-- the contracted events of the batches this table has not taken in (gauges: int_gauge_usage)
new_values as (

    select * from {{ ref('int_event_meter_values') }}
    where
        {{ meterline.new_batches_filter('batch_loaded_at') }}
        and contract_id is not null
        and aggregation not in {{ meterline.aggregation_list('gauge') }}

),

touched_periods as (

    select distinct
        account_id,
        period_start
    from new_values

),

-- merging meters: the quantity of the new events per row, then added to the held row
new_parts as (

    {{ meterline.aggregate_meter_values(
        '(select * from new_values where aggregation not in ' ~ not_merging ~ ')',
        row_grain, with_batch=true,
    ) }}

),

-- the rows held for the touched periods, every meter
held_touched as (

    select held.*
    from held
    inner join touched_periods
        on
            held.account_id = touched_periods.account_id
            and held.period_start = touched_periods.period_start

),

merge_parts as (

    select {{ row_columns }}
    from new_parts
    union all
    select {{ row_columns }}
    from held_touched
    where aggregation not in {{ not_merging }}

),

merged as (

    {{ meterline.merge_meter_quantities('merge_parts', row_grain) }}

),

-- other meters: every event of the account, period and meter, when the meter has new ones
recomputed_meters as (

    select distinct
        account_id,
        period_start,
        meter_id
    from new_values
    where aggregation in {{ not_merging }}

),

recomputed_values as (

    select meter_values.*
    from {{ ref('int_event_meter_values') }} as meter_values
    inner join recomputed_meters
        on
            meter_values.account_id = recomputed_meters.account_id
            and meter_values.period_start = recomputed_meters.period_start
            and meter_values.meter_id = recomputed_meters.meter_id
    where meter_values.contract_id is not null

),

recomputed as (

    {{ meterline.aggregate_meter_values('recomputed_values', row_grain, with_batch=true) }}

),

-- the touched periods' rows of meters without new events, as held
kept as (

    select held_touched.*
    from held_touched
    left join recomputed_meters
        on
            held_touched.account_id = recomputed_meters.account_id
            and held_touched.period_start = recomputed_meters.period_start
            and held_touched.meter_id = recomputed_meters.meter_id
    where
        held_touched.aggregation in {{ not_merging }}
        and recomputed_meters.meter_id is null

),

aggregated as (

    select {{ row_columns }}
    from merged
    union all
    select {{ row_columns }}
    from recomputed
    union all
    select {{ row_columns }}
    from kept

),

{%- else %}

aggregated as (

    {#- the macro reads its input twice (`latest` meters are ranked apart): it gets the table -#}
    {{ meterline.aggregate_meter_values(
        '(select * from ' ~ ref('int_event_meter_values') ~ ' where contract_id is not null)',
        row_grain, with_batch=true,
    ) }}

),

{%- endif %}

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
        aggregated.last_landed_at,
        aggregated.batch_loaded_at
    from aggregated

)

select * from final

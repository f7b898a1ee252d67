{{ config(
    materialized=meterline.event_path_materialization(deletes_rows=true),
    incremental_strategy='delete+insert',
    unique_key='invoice_line_event_id',
    on_schema_change='fail',
    post_hook="{{ meterline.drop_vanished_invoice_lines() }}",
) }}

{#- The records behind every usage invoice line (DECISIONLOG "Invoice-line lineage"). Grain:
    usage line (the fresh computation's, int_invoice_computed_lines) and record; key
    invoice_line_event_id. A line's rated row (int_rating_groups) covers meter groups, whose
    records are in int_event_meter_values. Gauges and custom SQL meters have no rows (no
    record sets their quantity).

    Incremental (delete+insert by invoice_line_event_id): a line's group whose event_count in
    int_rating_groups exceeds the records held here gets its new records added (new or late
    records; their is_counted depends on no other record); a max, min or latest line with any
    change, or a line with a group that lost records or is gone, is written again whole. The
    post-hook deletes the rows of a line and group that no longer exist (prices or parent
    accounts changed the lines). -#}
{%- set custom_meter_models = var('custom_meter_models', []) %}

with

computed_lines as (

    select * from {{ ref('int_invoice_computed_lines') }}

),

rating_groups_all as (

    select * from {{ ref('int_rating_groups') }}

),

meter_values_all as (

    select * from {{ ref('int_event_meter_values') }}
    where contract_id is not null

),

accepted_all as (

    select * from {{ ref('int_events_accepted') }}

),

meters as (

    select * from {{ ref('stg_meters') }}

),

custom_meters as (

    select cast(null as {{ dbt.type_string() }}) as meter_id
    from computed_lines
    where 1 = 0
    {%- for model_name in custom_meter_models %}
    union
    select meter_id from {{ ref(model_name) }}
    {%- endfor %}

),

-- usage lines of meters whose quantity is read off records (not gauges nor custom SQL meters)
usage_lines as (

    select computed_lines.*
    from computed_lines
    where
        computed_lines.line_type = 'usage'
        and computed_lines.meter_id not in (select custom_meters.meter_id from custom_meters)

),

-- each line's meter groups, with their record counts
line_groups as (

    select
        usage_lines.invoice_line_id,
        usage_lines.invoice_id,
        usage_lines.account_id,
        usage_lines.usage_account_id,
        usage_lines.contract_id,
        usage_lines.meter_id,
        usage_lines.price_id,
        usage_lines.dimension_value as line_dimension_value,
        usage_lines.period_start,
        usage_lines.period_end,
        meters.aggregation,
        rating_groups_all.dimension_value,
        rating_groups_all.event_count
    from usage_lines
    inner join meters
        on usage_lines.meter_id = meters.meter_id
    inner join rating_groups_all
        on
            usage_lines.contract_id = rating_groups_all.contract_id
            and usage_lines.period_start = rating_groups_all.period_start
            and usage_lines.price_id = rating_groups_all.price_id
            and coalesce(usage_lines.dimension_value, '') = coalesce(rating_groups_all.rated_dimension_value, '')

),

-- the records held here per line and group (incremental runs; none on a full build)
held_groups as (  -- noqa: ST03

    {% if is_incremental() -%}
        select
            invoice_line_id,
            group_dimension_value,
            count(*) as record_count
        from {{ this }}
        group by invoice_line_id, group_dimension_value
    {%- else -%}
        select
            invoice_line_id,
            dimension_value as group_dimension_value,
            event_count as record_count
        from line_groups
        where 1 = 0
    {%- endif %}

),

-- how each line's group compares with the records held: the same number (nothing to do),
-- more (its new records are added), none held (all are added), fewer (the line is replaced)
group_states as (

    select
        line_groups.invoice_line_id,
        line_groups.dimension_value,
        line_groups.aggregation,
        case
            when held_groups.invoice_line_id is null then 'new'
            when held_groups.record_count = line_groups.event_count then 'same'
            when held_groups.record_count < line_groups.event_count then 'grown'
            else 'other'
        end as group_state
    from line_groups
    left join held_groups
        on
            line_groups.invoice_line_id = held_groups.invoice_line_id
            and coalesce(line_groups.dimension_value, '') = coalesce(held_groups.group_dimension_value, '')

),

-- lines written again whole (all records, upserted by invoice_line_event_id): a group with
-- fewer records, a group gone (its rows are deleted by the post-hook), or any change on a
-- max, min or latest line (its counted record can change)
replaced_lines as (

    select group_states.invoice_line_id
    from group_states
    where
        group_states.group_state = 'other'
        or (group_states.aggregation in ('max', 'min', 'latest') and group_states.group_state <> 'same')
    union
    select held_groups.invoice_line_id
    from held_groups
    left join line_groups
        on
            held_groups.invoice_line_id = line_groups.invoice_line_id
            and coalesce(held_groups.group_dimension_value, '') = coalesce(line_groups.dimension_value, '')
    where line_groups.invoice_line_id is null

),

groups_to_build as (

    select
        line_groups.*,
        replaced_lines.invoice_line_id is not null as is_replaced
    from line_groups
    inner join group_states
        on
            line_groups.invoice_line_id = group_states.invoice_line_id
            and coalesce(line_groups.dimension_value, '') = coalesce(group_states.dimension_value, '')
    left join replaced_lines
        on line_groups.invoice_line_id = replaced_lines.invoice_line_id
    where group_states.group_state <> 'same' or replaced_lines.invoice_line_id is not null

),

line_records as (

    select
        groups_to_build.invoice_line_id,
        groups_to_build.invoice_id,
        groups_to_build.account_id,
        groups_to_build.usage_account_id,
        groups_to_build.contract_id,
        groups_to_build.meter_id,
        groups_to_build.price_id,
        groups_to_build.line_dimension_value,
        groups_to_build.period_start,
        groups_to_build.period_end,
        meter_values_all.aggregation,
        meter_values_all.dimension_value as group_dimension_value,
        meter_values_all.record_id,
        meter_values_all.source,
        meter_values_all.event_id,
        meter_values_all.occurred_at,
        meter_values_all.has_value,
        meter_values_all.value,
        meter_values_all.value_text,
        meter_values_all.batch_loaded_at,
        groups_to_build.is_replaced
    from groups_to_build
    inner join meter_values_all
        on
            groups_to_build.usage_account_id = meter_values_all.account_id
            and groups_to_build.contract_id = meter_values_all.contract_id
            and groups_to_build.period_start = meter_values_all.period_start
            and groups_to_build.meter_id = meter_values_all.meter_id
            and coalesce(groups_to_build.dimension_value, '') = coalesce(meter_values_all.dimension_value, '')
    where meter_values_all.aggregation not in {{ meterline.aggregation_list('gauge') }}

),

-- the records to write: every record of a replaced line, else those not held yet
records_to_write as (

    select line_records.*
    from line_records
    {% if is_incremental() -%}
        where
            line_records.is_replaced
            or not exists (
                select 1
                from {{ this }} as held_rows
                where
                    held_rows.invoice_line_id = line_records.invoice_line_id
                    and held_rows.record_id = line_records.record_id
            )
    {%- endif %}

),

-- max, min and latest: the one record whose value is the quantity (ties: the last by
-- occurred_at, event_id, source, record_id, as aggregate_meter_values ranks latest)
ranked as (

    select
        records_to_write.*,
        case
            when records_to_write.aggregation in ('max', 'min', 'latest')
                then row_number() over (
                    partition by records_to_write.invoice_line_id
                    order by
                        case when records_to_write.value is null then 1 else 0 end,
                        case when records_to_write.aggregation = 'max' then records_to_write.value end desc,
                        case when records_to_write.aggregation = 'min' then records_to_write.value end asc,
                        records_to_write.occurred_at desc,
                        records_to_write.event_id desc,
                        records_to_write.source desc,
                        records_to_write.record_id desc
                )
        end as value_rank
    from records_to_write

),

landed as (

    select
        ranked.*,
        accepted_all.file_name,
        accepted_all.line_number
    from ranked
    inner join accepted_all
        on
            ranked.usage_account_id = accepted_all.account_id
            and ranked.period_start = accepted_all.period_start
            and ranked.record_id = accepted_all.record_id

),

final as (

    select
        -- ids
        cast({{ meterline.surrogate_key(['invoice_line_id', 'record_id']) }} as {{ dbt.type_string() }})
            as invoice_line_event_id,
        cast(invoice_line_id as {{ dbt.type_string() }}) as invoice_line_id,
        cast(invoice_id as {{ dbt.type_string() }}) as invoice_id,
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(usage_account_id as {{ dbt.type_string() }}) as usage_account_id,
        cast(contract_id as {{ dbt.type_string() }}) as contract_id,
        cast(meter_id as {{ dbt.type_string() }}) as meter_id,
        cast(aggregation as {{ dbt.type_string() }}) as aggregation,
        cast(price_id as {{ dbt.type_string() }}) as price_id,

        -- period
        cast(period_start as date) as period_start,
        cast(period_end as date) as period_end,

        -- groups
        cast(line_dimension_value as {{ dbt.type_string() }}) as dimension_value,
        cast(group_dimension_value as {{ dbt.type_string() }}) as group_dimension_value,

        -- the record
        cast(record_id as {{ dbt.type_string() }}) as record_id,
        cast(source as {{ dbt.type_string() }}) as source,
        cast(event_id as {{ dbt.type_string() }}) as event_id,
        cast(file_name as {{ dbt.type_string() }}) as file_name,
        cast(line_number as bigint) as line_number,
        cast(occurred_at as {{ dbt.type_timestamp() }}) as occurred_at,

        -- the value read
        cast(value as {{ meterline.event_value_type() }}) as value,
        cast(value_text as {{ dbt.type_string() }}) as value_text,
        cast(
            case
                when aggregation = 'count' then true
                when aggregation in ('max', 'min', 'latest') then coalesce(value_rank = 1 and value is not null, false)
                else coalesce(has_value, false)
            end as boolean
        ) as is_counted,

        -- batch
        cast(batch_loaded_at as {{ dbt.type_timestamp() }}) as batch_loaded_at
    from landed

)

select * from final

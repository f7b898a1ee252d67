{{ config(materialized='view') }}

{#- The records behind every usage invoice line (DECISIONLOG "Invoice-line lineage"). Grain:
    usage line (the fresh computation's, int_invoice_computed_lines) and record; key
    invoice_line_event_id. A line's rated row (int_rating_groups) covers meter groups, whose
    records are in int_event_meter_values. Gauges and custom SQL meters have no rows (no
    record sets their quantity).

    A view (DECISIONLOG "Invoice-line lineage", "A view, not a table"): the trail is computed
    when it is read, from the tables billing writes anyway; a query for one line or invoice
    computes that line's rows only. -#}
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

-- each line's meter groups
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
        rating_groups_all.dimension_value
    from usage_lines
    inner join rating_groups_all
        on
            usage_lines.contract_id = rating_groups_all.contract_id
            and usage_lines.period_start = rating_groups_all.period_start
            and usage_lines.price_id = rating_groups_all.price_id
            and coalesce(usage_lines.dimension_value, '') = coalesce(rating_groups_all.rated_dimension_value, '')

),

line_records as (

    select
        line_groups.invoice_line_id,
        line_groups.invoice_id,
        line_groups.account_id,
        line_groups.usage_account_id,
        line_groups.contract_id,
        line_groups.meter_id,
        line_groups.price_id,
        line_groups.line_dimension_value,
        line_groups.period_start,
        line_groups.period_end,
        meter_values_all.aggregation,
        meter_values_all.dimension_value as group_dimension_value,
        meter_values_all.record_id,
        meter_values_all.source,
        meter_values_all.event_id,
        meter_values_all.occurred_at,
        meter_values_all.has_value,
        meter_values_all.value,
        meter_values_all.value_text,
        meter_values_all.batch_loaded_at
    from line_groups
    inner join meter_values_all
        on
            line_groups.usage_account_id = meter_values_all.account_id
            and line_groups.contract_id = meter_values_all.contract_id
            and line_groups.period_start = meter_values_all.period_start
            and line_groups.meter_id = meter_values_all.meter_id
            and coalesce(line_groups.dimension_value, '') = coalesce(meter_values_all.dimension_value, '')
    where meter_values_all.aggregation not in {{ meterline.aggregation_list('gauge') }}

),

-- max, min and latest: the one record whose value is the quantity (ties: the last by
-- occurred_at, event_id, source, record_id, as aggregate_meter_values ranks latest)
ranked as (

    select
        line_records.*,
        case
            when line_records.aggregation in ('max', 'min', 'latest')
                then row_number() over (
                    partition by line_records.invoice_line_id
                    order by
                        case when line_records.value is null then 1 else 0 end,
                        case when line_records.aggregation = 'max' then line_records.value end desc,
                        case when line_records.aggregation = 'min' then line_records.value end asc,
                        line_records.occurred_at desc,
                        line_records.event_id desc,
                        line_records.source desc,
                        line_records.record_id desc
                )
        end as value_rank
    from line_records

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

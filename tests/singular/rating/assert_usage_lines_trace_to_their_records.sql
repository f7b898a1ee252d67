-- Invoice-line lineage (DECISIONLOG "Invoice-line lineage"): every usage line of an invoice is
-- explained by its rows in fct_invoice_line_events. The line's quantity (fct_invoice_lines; for
-- a frozen invoice the fresh computation's, int_invoice_computed_lines, which the frozen line
-- and its adjustment lines bill, and the lines new since the freeze too) equals, over its rows
-- with is_counted: count - their number; sum - the sum of their values; unique_count - their
-- distinct value_text; mean - the mean of their values; max, min, latest - the value of the one
-- such row (the greatest, least value of all rows for max, min). A line without rows has
-- quantity 0. Gauges and custom SQL meters (var custom_meter_models) have no rows and are not
-- checked. Returns one row per line that does not add up, and per mart row of no such line.
{%- set custom_meter_models = var('custom_meter_models', []) %}

with

invoice_lines as (

    select * from {{ ref('fct_invoice_lines') }}

),

line_events as (

    select * from {{ ref('fct_invoice_line_events') }}

),

meters as (

    select * from {{ ref('stg_meters') }}

),

custom_meters as (

    select cast(null as {{ dbt.type_string() }}) as meter_id
    where 1 = 0
    {%- for model_name in custom_meter_models %}
    union
    select meter_id from {{ ref(model_name) }}
    {%- endfor %}

),

frozen_invoices as (

    select * from {{ ref('stg_billing__final_invoices') }}

),

computed_lines as (

    select * from {{ ref('int_invoice_computed_lines') }}

),

-- the usage lines of invoices not frozen, as billed
open_lines as (

    select
        invoice_lines.invoice_line_id,
        invoice_lines.meter_id,
        invoice_lines.quantity as line_quantity
    from invoice_lines
    left join frozen_invoices
        on invoice_lines.invoice_id = frozen_invoices.invoice_id
    where invoice_lines.line_type = 'usage' and frozen_invoices.invoice_id is null

),

-- the usage lines of frozen invoices, as computed afresh
fresh_frozen_lines as (

    select
        computed_lines.invoice_line_id,
        computed_lines.meter_id,
        computed_lines.quantity as line_quantity
    from computed_lines
    inner join frozen_invoices
        on computed_lines.invoice_id = frozen_invoices.invoice_id
    where computed_lines.line_type = 'usage'

),

billed as (

    select * from open_lines
    union all
    select * from fresh_frozen_lines

),

checked_lines as (

    select
        billed.invoice_line_id,
        billed.line_quantity,
        meters.aggregation
    from billed
    inner join meters
        on billed.meter_id = meters.meter_id
    where
        meters.aggregation not in {{ meterline.aggregation_list('gauge') }}
        and billed.meter_id not in (select custom_meters.meter_id from custom_meters)

),

explained as (

    select
        invoice_line_id,
        count(*) as row_count,
        sum(case when is_counted then 1 else 0 end) as counted_rows,
        sum(case when is_counted then value end) as counted_sum,
        count(distinct case when is_counted then value_text end) as counted_distinct,
        {{ meterline.divide_by_count(
            'sum(case when is_counted then value end)', 'count(case when is_counted then value end)'
        ) }} as counted_mean,
        max(case when is_counted then value end) as counted_value,
        max(value) as greatest_value,
        min(value) as least_value
    from line_events
    group by invoice_line_id

),

compared as (

    select
        checked_lines.invoice_line_id,
        checked_lines.aggregation,
        checked_lines.line_quantity,
        coalesce(explained.row_count, 0) as row_count,
        coalesce(explained.counted_rows, 0) as counted_rows,
        case checked_lines.aggregation
            when 'count' then coalesce(explained.counted_rows, 0)
            when 'sum' then coalesce(explained.counted_sum, 0)
            when 'unique_count' then coalesce(explained.counted_distinct, 0)
            when 'mean' then coalesce(explained.counted_mean, 0)
            else coalesce(explained.counted_value, 0)
        end as records_quantity,
        -- count: every row counts; max, min, latest: one row, unless no row has a value
        case
            when explained.invoice_line_id is null then true
            when checked_lines.aggregation = 'count' then explained.counted_rows = explained.row_count
            when checked_lines.aggregation in ('max', 'min', 'latest') and explained.greatest_value is null
                then explained.counted_rows = 0
            when checked_lines.aggregation = 'max'
                then explained.counted_rows = 1 and explained.counted_value = explained.greatest_value
            when checked_lines.aggregation = 'min'
                then explained.counted_rows = 1 and explained.counted_value = explained.least_value
            when checked_lines.aggregation = 'latest' then explained.counted_rows = 1
            else true
        end as counted_as_the_rule_says
    from checked_lines
    left join explained
        on checked_lines.invoice_line_id = explained.invoice_line_id

),

not_adding_up as (

    select
        invoice_line_id,
        aggregation,
        line_quantity,
        records_quantity,
        'quantity' as problem
    from compared
    where
        records_quantity <> line_quantity
        or not coalesce(counted_as_the_rule_says, false)

),

unknown_lines as (

    select distinct
        line_events.invoice_line_id,
        line_events.aggregation,
        cast(null as {{ meterline.quantity_type() }}) as line_quantity,
        cast(null as {{ meterline.quantity_type() }}) as records_quantity,
        'no such usage line' as problem
    from line_events
    left join checked_lines
        on line_events.invoice_line_id = checked_lines.invoice_line_id
    where checked_lines.invoice_line_id is null

),

final as (

    select * from not_adding_up
    union all
    select * from unknown_lines

)

select * from final

-- The queryable trail (DECISIONLOG "Every invoice line traces to its records"): every usage line of an invoice can
-- be followed to the records that produced it, from the models. A line's rated row
-- (int_rating_groups: contract, period, price, rated group) covers meter groups; their events
-- (int_event_meter_values, one row per accepted record and meter) aggregate to the line's
-- quantity, plus the quantities of the adjustment lines that correct it after a freeze. Checked
-- for the meters whose quantity is read off the events directly (count, sum, unique_count,
-- max, min); a line with no event has quantity 0. A custom SQL meter (var custom_meter_models)
-- is traced by its own model, not here. Returns the lines that do not add up.
{%- set custom_meter_models = var('custom_meter_models', []) %}

with

invoice_lines as (

    select * from {{ ref('fct_invoice_lines') }}

),

rating_groups as (

    select * from {{ ref('int_rating_groups') }}

),

meter_values as (

    select * from {{ ref('int_event_meter_values') }}

),

custom_meters as (

    select cast(null as {{ dbt.type_string() }}) as meter_id
    where 1 = 0
    {%- for model_name in custom_meter_models %}
    union
    select meter_id from {{ ref(model_name) }}
    {%- endfor %}

),

usage_lines as (

    select * from invoice_lines
    where
        line_type = 'usage'
        and meter_id not in (select custom_meters.meter_id from custom_meters)

),

adjusted as (

    select
        adjusted_invoice_line_id,
        sum(quantity) as adjusted_quantity
    from invoice_lines
    where line_type = 'adjustment' and adjusted_invoice_line_id is not null
    group by adjusted_invoice_line_id

),

traced as (

    select
        usage_lines.invoice_line_id,
        usage_lines.quantity + coalesce(adjusted.adjusted_quantity, 0) as line_quantity,
        meter_values.aggregation,
        count(meter_values.record_id) as record_count,
        case
            when meter_values.aggregation = 'count' then count(meter_values.record_id)
            when meter_values.aggregation = 'sum' then sum(meter_values.value)
            when meter_values.aggregation = 'unique_count' then count(distinct meter_values.value_text)
            when meter_values.aggregation = 'max' then max(meter_values.value)
            when meter_values.aggregation = 'min' then min(meter_values.value)
        end as records_quantity
    from usage_lines
    left join adjusted
        on usage_lines.invoice_line_id = adjusted.adjusted_invoice_line_id
    left join rating_groups
        on
            usage_lines.contract_id = rating_groups.contract_id
            and usage_lines.period_start = rating_groups.period_start
            and usage_lines.price_id = rating_groups.price_id
            and coalesce(usage_lines.dimension_value, '') = coalesce(rating_groups.rated_dimension_value, '')
    left join meter_values
        on
            rating_groups.account_id = meter_values.account_id
            and rating_groups.contract_id = meter_values.contract_id
            and rating_groups.period_start = meter_values.period_start
            and rating_groups.meter_id = meter_values.meter_id
            and coalesce(rating_groups.dimension_value, '') = coalesce(meter_values.dimension_value, '')
    group by
        usage_lines.invoice_line_id,
        usage_lines.quantity + coalesce(adjusted.adjusted_quantity, 0),
        meter_values.aggregation

),

not_adding_up as (

    select * from traced
    where
        (aggregation is null or aggregation in ('count', 'sum', 'unique_count', 'max', 'min'))
        and coalesce(records_quantity, 0) <> line_quantity

)

select * from not_adding_up

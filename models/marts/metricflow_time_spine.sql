{#- One row per day (key date_day) from the first to the last day of the billing periods,
    usage days and ledger entries the marts hold: MetricFlow's time spine
    (models/marts/_marts__semantic_models.yml, DECISIONLOG "Semantic layer and currencies").
    Empty marts give an empty spine. Portable SQL (dbt.dateadd), no engine-specific series. -#}

with

invoices as (

    select * from {{ ref('fct_invoices') }}

),

usage_daily as (

    select * from {{ ref('fct_usage_daily') }}

),

credit_ledger as (

    select * from {{ ref('fct_credit_ledger') }}

),

commitment_ledger as (

    select * from {{ ref('fct_commitment_ledger') }}

),

covered_ranges as (

    -- per source of dates: its first day, and its last day either exclusive (periods) or
    -- inclusive (days); no date arithmetic here, as an empty mart gives nulls
    select
        min(period_start) as first_day,
        max(period_end) as day_after,
        cast(null as date) as last_day
    from invoices
    union all
    select
        min(usage_date) as first_day,
        cast(null as date) as day_after,
        max(usage_date) as last_day
    from usage_daily
    union all
    select
        min(entry_on) as first_day,
        cast(null as date) as day_after,
        max(entry_on) as last_day
    from credit_ledger
    union all
    select
        min(period_start) as first_day,
        max(period_end) as day_after,
        cast(null as date) as last_day
    from commitment_ledger

),

bounds as (

    select
        min(first_day) as first_day,
        max(day_after) as day_after,
        max(last_day) as last_day
    from covered_ranges

),

known_bounds as (

    -- no row when every mart is empty
    select * from bounds
    where first_day is not null

),

digits as (

    select 0 as digit
    {%- for digit in range(1, 10) %}
        union all
        select {{ digit }} as digit
    {%- endfor %}

),

day_offsets as (

    -- 0 to 99999 (about 270 years)
    select
        ones.digit
        + 10 * tens.digit
        + 100 * hundreds.digit
        + 1000 * thousands.digit
        + 10000 * ten_thousands.digit as day_offset
    from digits as ones
    cross join digits as tens
    cross join digits as hundreds
    cross join digits as thousands
    cross join digits as ten_thousands

),

days as (

    select
        cast({{ dbt.dateadd('day', 'day_offsets.day_offset', 'known_bounds.first_day') }} as date)
            as date_day,
        known_bounds.day_after,
        known_bounds.last_day
    from known_bounds
    cross join day_offsets

),

final as (

    select date_day
    from days
    where date_day < day_after or date_day <= last_day

)

select * from final

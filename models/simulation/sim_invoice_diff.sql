{#
    Price simulation: every invoice of all history (account, currency, billing period) under
    the current book and under the candidate, before credits and as if no invoice were frozen
    (DECISIONLOG "Price simulation"). One row per invoice present on either side; a side
    without the invoice counts as 0. delta_percent = delta / current_total x 100, truncated to
    4 decimals; null when current_total is 0 (no percentage of nothing).
    Grain: account_id, currency, period_start, period_end (one invoice_id).
#}

with

line_diff as (

    select * from {{ ref('sim_line_diff') }}

),

invoices as (

    select
        -- ids
        invoice_id,
        account_id,
        currency,

        -- dates
        period_start,
        period_end,

        -- money
        sum(coalesce(current_amount, 0)) as current_total,
        sum(coalesce(candidate_amount, 0)) as candidate_total,
        sum(delta) as delta,

        -- lines
        sum(case when current_amount is not null then 1 else 0 end) as current_line_count,
        sum(case when candidate_amount is not null then 1 else 0 end) as candidate_line_count
    from line_diff
    group by
        invoice_id,
        account_id,
        currency,
        period_start,
        period_end

),

final as (

    select
        -- ids
        invoice_id,
        account_id,
        currency,

        -- dates
        period_start,
        period_end,

        -- money
        cast(current_total as {{ meterline.money_type() }}) as current_total,
        cast(candidate_total as {{ meterline.money_type() }}) as candidate_total,
        cast(delta as {{ meterline.money_type() }}) as delta,
        cast(
            {{ meterline.divide_decimal('delta * 100', 'current_total', 4) }}
            as {{ meterline.money_type() }}
        ) as delta_percent,

        -- lines
        cast(current_line_count as bigint) as current_line_count,
        cast(candidate_line_count as bigint) as candidate_line_count
    from invoices

)

select * from final

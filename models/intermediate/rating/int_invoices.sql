{#
    The header of every invoice, frozen or not: the one place that says which invoices exist,
    which are frozen, their status and what they come to before credits. fct_invoices, the
    credit allocation and the credit ledger read it.
    - Not frozen: made of its computed lines and the adjustment lines it hosts; status by date
      (macros/billing/invoice_status.sql).
    - Frozen (billing.final_invoices): final forever, its figures as frozen.
#}

with

computed_lines as (

    select * from {{ ref('int_invoice_computed_lines') }}

),

adjustments as (

    select * from {{ ref('int_invoice_adjustments') }}

),

frozen_invoices as (

    select * from {{ ref('stg_billing__final_invoices') }}

),

frozen_lines as (

    select * from {{ ref('stg_billing__final_invoice_lines') }}

),

open_lines as (

    select
        computed_lines.invoice_id,
        computed_lines.account_id,
        computed_lines.currency,
        computed_lines.period_start,
        computed_lines.period_end,
        computed_lines.line_type,
        computed_lines.amount
    from computed_lines
    left join frozen_invoices
        on computed_lines.invoice_id = frozen_invoices.invoice_id
    where frozen_invoices.invoice_id is null
    union all
    select
        invoice_id,
        account_id,
        currency,
        period_start,
        period_end,
        line_type,
        amount
    from adjustments
    where not is_pending

),

computed_invoices as (

    select
        -- ids
        invoice_id,
        account_id,
        currency,

        -- dates
        period_start,
        period_end,

        -- state
        false as is_frozen,
        {{ meterline.invoice_status('period_end') }} as status,

        -- money
        sum(case when line_type in {{ meterline.line_type_list('subtotal') }} then amount else 0 end)
            as subtotal,
        sum(amount) as amount_before_credit,
        count(*) as line_count_before_credit,
        cast(null as {{ meterline.money_type() }}) as frozen_total,
        cast(null as bigint) as frozen_line_count,

        -- timestamps
        cast(null as {{ dbt.type_timestamp() }}) as frozen_at
    from open_lines
    group by
        invoice_id,
        account_id,
        currency,
        period_start,
        period_end

),

frozen_before_credit as (

    select
        invoice_id,
        sum(amount) as amount_before_credit,
        count(*) as line_count_before_credit
    from frozen_lines
    where line_type <> 'credit'
    group by invoice_id

),

frozen as (

    select
        frozen_invoices.invoice_id,
        frozen_invoices.account_id,
        frozen_invoices.currency,
        frozen_invoices.period_start,
        frozen_invoices.period_end,
        true as is_frozen,
        frozen_invoices.status,
        frozen_invoices.subtotal,
        coalesce(frozen_before_credit.amount_before_credit, 0) as amount_before_credit,
        coalesce(frozen_before_credit.line_count_before_credit, 0) as line_count_before_credit,
        frozen_invoices.total as frozen_total,
        frozen_invoices.line_count as frozen_line_count,
        frozen_invoices.frozen_at
    from frozen_invoices
    left join frozen_before_credit
        on frozen_invoices.invoice_id = frozen_before_credit.invoice_id

),

unioned as (

    select * from computed_invoices
    union all
    select * from frozen

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

        -- state
        is_frozen,
        status,

        -- money
        cast(subtotal as {{ meterline.money_type() }}) as subtotal,
        cast(amount_before_credit as {{ meterline.money_type() }}) as amount_before_credit,
        cast(line_count_before_credit as bigint) as line_count_before_credit,
        -- frozen invoices: their total and line count as frozen
        cast(frozen_total as {{ meterline.money_type() }}) as frozen_total,
        cast(frozen_line_count as bigint) as frozen_line_count,

        -- timestamps
        frozen_at
    from unioned

)

select * from final

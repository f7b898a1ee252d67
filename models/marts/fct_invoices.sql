{#
    Every invoice of int_invoices (the one header model): a frozen invoice exactly as frozen,
    final forever; every other one with its status by date, its lines before credits and the
    credit lines that pay it (total = the sum of its lines in fct_invoice_lines).
#}

with

invoices as (

    select * from {{ ref('int_invoices') }}

),

credit_applications as (

    select * from {{ ref('int_credit_applications') }}

),

credits as (

    select
        invoice_id,
        sum(applied_amount) as applied_amount,
        count(*) as credit_line_count
    from credit_applications
    group by invoice_id

),

totaled as (

    select
        invoices.*,
        case
            when invoices.is_frozen then invoices.frozen_total
            else invoices.amount_before_credit - coalesce(credits.applied_amount, 0)
        end as total,
        case
            when invoices.is_frozen then invoices.frozen_line_count
            else invoices.line_count_before_credit + coalesce(credits.credit_line_count, 0)
        end as line_count
    from invoices
    left join credits
        on invoices.invoice_id = credits.invoice_id

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
        status,

        -- money
        cast(subtotal as {{ meterline.money_type() }}) as subtotal,
        cast(total as {{ meterline.money_type() }}) as total,
        cast(line_count as bigint) as line_count
    from totaled

)

select * from final

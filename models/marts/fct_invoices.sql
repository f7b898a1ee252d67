{#
    A frozen invoice (billing.final_invoices) is shown exactly as frozen and is final forever;
    every other invoice is summed from its lines in fct_invoice_lines, with its status by date.
#}

with

invoice_lines as (

    select * from {{ ref('fct_invoice_lines') }}

),

frozen_invoices as (

    select * from {{ ref('stg_billing__final_invoices') }}

),

invoices as (

    select
        invoice_id,
        account_id,
        currency,
        period_start,
        period_end,
        sum(case when line_type in ('usage', 'fixed') then amount else 0 end) as subtotal,
        sum(amount) as total,
        count(*) as line_count
    from invoice_lines
    group by
        invoice_id,
        account_id,
        currency,
        period_start,
        period_end

),

computed_invoices as (

    select
        -- ids
        invoices.invoice_id,
        invoices.account_id,
        invoices.currency,

        -- dates
        invoices.period_start,
        invoices.period_end,

        -- state
        {{ meterline.invoice_status('invoices.period_end') }} as status,

        -- money
        invoices.subtotal,
        invoices.total,
        invoices.line_count
    from invoices
    left join frozen_invoices
        on invoices.invoice_id = frozen_invoices.invoice_id
    where frozen_invoices.invoice_id is null

),

frozen as (

    select
        invoice_id,
        account_id,
        currency,
        period_start,
        period_end,
        status,
        subtotal,
        total,
        line_count
    from frozen_invoices

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
        status,

        -- money
        cast(subtotal as {{ meterline.money_type() }}) as subtotal,
        cast(total as {{ meterline.money_type() }}) as total,
        cast(line_count as bigint) as line_count
    from unioned

)

select * from final

with

invoice_lines as (

    select * from {{ ref('fct_invoice_lines') }}

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
        case
            when {{ meterline.as_of_literal() }} < period_end then 'open'
            when
                {{ meterline.as_of_literal() }}
                < cast({{ dbt.dateadd('day', meterline.grace_days(), 'period_end') }} as date)
                then 'draft'
            else 'final'
        end as status,

        -- money
        cast(subtotal as {{ meterline.money_type() }}) as subtotal,
        cast(total as {{ meterline.money_type() }}) as total,
        cast(line_count as bigint) as line_count
    from invoices

)

select * from final

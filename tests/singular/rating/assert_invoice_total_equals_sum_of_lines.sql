-- Fails for every invoice whose total, subtotal or line count disagrees with its lines.
with

invoices as (

    select * from {{ ref('fct_invoices') }}

),

invoice_lines as (

    select * from {{ ref('fct_invoice_lines') }}

),

line_totals as (

    select
        invoice_id,
        sum(amount) as line_total,
        sum(case when line_type in ('usage', 'fixed') then amount else 0 end) as line_subtotal,
        count(*) as line_count
    from invoice_lines
    group by invoice_id

)

select
    invoices.invoice_id,
    invoices.total,
    line_totals.line_total,
    invoices.subtotal,
    line_totals.line_subtotal
from invoices
left join line_totals
    on invoices.invoice_id = line_totals.invoice_id
where
    line_totals.invoice_id is null
    or invoices.total <> line_totals.line_total
    or invoices.subtotal <> line_totals.line_subtotal
    or invoices.line_count <> line_totals.line_count

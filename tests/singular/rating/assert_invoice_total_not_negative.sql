-- Fails for every invoice with a negative total.
select
    invoice_id,
    total
from {{ ref('fct_invoices') }}
where total < 0

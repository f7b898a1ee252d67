-- Fails for every (account, currency, period) with more than one invoice.
select
    account_id,
    currency,
    period_start,
    count(*) as invoice_count
from {{ ref('fct_invoices') }}
group by
    account_id,
    currency,
    period_start
having count(*) > 1

-- Fails for every rated row whose amount cannot be represented: a product, tier or total of
-- 10^19 or more (amount_limit), or a quantity that did not fit quantity_type. Such an amount
-- is null (never rounded, never an overflow error), and since this test reads
-- int_rated_usage, `dbt build` skips the invoices built from it; the row is named here
-- (DECISIONLOG "Amounts that cannot be represented are null").
select
    rated_usage_id,
    account_id,
    contract_id,
    period_start,
    price_id,
    dimension_value,
    pricing_model,
    quantity,
    billable_quantity,
    unit_amount,
    model_amount,
    amount
from {{ ref('int_rated_usage') }}
where quantity is null or billable_quantity is null or model_amount is null or amount is null

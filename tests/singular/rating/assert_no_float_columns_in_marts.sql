-- Fails for every FLOAT/DOUBLE column in the marts: money and quantities are exact decimals.
-- depends_on: {{ ref('fct_rated_usage') }}
-- depends_on: {{ ref('fct_rated_usage_tiers') }}
-- depends_on: {{ ref('fct_invoice_lines') }}
-- depends_on: {{ ref('fct_invoices') }}
-- depends_on: {{ ref('fct_credit_ledger') }}
{{ meterline.float_columns_query(ref('fct_invoices').schema) }}

{#
    Adjustments of frozen invoices that no invoice can take yet: the account has no later
    invoice in that currency that is not frozen yet (no_open_invoice), or the
    adjustments would take the next one below zero (host_total_negative). They are recomputed
    on every run and billed on the first invoice that can take them; never dropped.
#}

with

adjustments as (

    select * from {{ ref('int_invoice_adjustments') }}

),

pending as (

    select
        -- ids
        adjusted_invoice_line_id,
        adjusted_invoice_id,
        account_id,
        contract_id,
        candidate_invoice_id,

        -- dates (the period the adjustment belongs to)
        adjusted_period_start,
        adjusted_period_end,

        -- line
        adjusted_line_type,
        meter_id,
        price_id,
        dimension_value,
        quantity,
        amount,
        currency,
        description,

        -- how the delta was computed
        fresh_amount,
        frozen_amount,
        previously_adjusted_amount,

        -- why it waits
        pending_reason
    from adjustments
    where is_pending

)

select * from pending

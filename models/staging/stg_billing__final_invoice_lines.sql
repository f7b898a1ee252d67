{#- Every column of the frozen lines: the table is made from fct_invoice_lines' contract
    (macros/billing/create_billing_tables.sql), so it has what the mart has. -#}

with

source as (

    select * from {{ source('billing', 'final_invoice_lines') }}

),

renamed as (

    select
        -- ids
        invoice_line_id,
        invoice_id,
        account_id,
        contract_id,
        usage_account_id,
        grant_id,

        -- dates
        period_start,
        period_end,

        -- line
        line_type,
        line_sequence,
        meter_id,
        price_id,
        dimension_value,
        quantity,
        amount,
        currency,
        description,

        -- the line an adjustment corrects
        adjusted_invoice_line_id,
        adjusted_invoice_id,
        adjusted_line_type,
        adjusted_period_start,
        adjusted_period_end,

        -- timestamps
        frozen_at
    from source

)

select * from renamed

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

        -- dates
        period_start,
        period_end,

        -- line
        line_type,
        meter_id,
        price_id,
        dimension_value,
        quantity,
        amount,
        currency,
        description,
        adjusted_invoice_line_id,

        -- timestamps
        frozen_at
    from source

)

select * from renamed

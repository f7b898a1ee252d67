with

source as (

    select * from {{ source('billing', 'final_invoices') }}

),

renamed as (

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
        subtotal,
        total,
        line_count,

        -- timestamps
        frozen_at
    from source

)

select * from renamed

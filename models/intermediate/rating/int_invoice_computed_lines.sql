{#
    The fresh computation of every invoice's lines before credits: its charge lines
    (usage, fixed) and commitment lines (discount, minimum_true_up), with their stable
    invoice_line_id. Frozen periods are computed too: fct_invoice_lines shows the frozen rows
    instead, and int_invoice_adjustments bills the difference.
#}

with

charge_lines as (

    select * from {{ ref('int_invoice_charge_lines') }}

),

commitment_lines as (

    select * from {{ ref('int_invoice_commitment_lines') }}

),

lines as (

    select
        invoice_id,
        account_id,
        contract_id,
        period_start,
        period_end,
        line_type,
        meter_id,
        price_id,
        dimension_value,
        quantity,
        amount,
        currency,
        description
    from charge_lines
    union all
    select
        invoice_id,
        account_id,
        contract_id,
        period_start,
        period_end,
        line_type,
        meter_id,
        price_id,
        dimension_value,
        quantity,
        amount,
        currency,
        description
    from commitment_lines

),

final as (

    select
        -- ids (no grant: the key of fct_invoice_lines for a line without a grant)
        {{ meterline.invoice_line_key(
            'invoice_id', 'line_type', 'contract_id', 'price_id', 'dimension_value'
        ) }} as invoice_line_id,
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
        cast(quantity as {{ meterline.quantity_type() }}) as quantity,
        cast(amount as {{ meterline.money_type() }}) as amount,
        currency,
        description
    from lines

)

select * from final

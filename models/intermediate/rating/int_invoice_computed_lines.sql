{#
    The fresh computation of every invoice's lines before credits, of every kind the line-type
    registry (macros/billing/line_types.sql) lists as computed: charge lines (usage, fixed,
    one_time), discount lines (discount, minimum_true_up) and commitment lines (fee, drawdown,
    overage surcharge, true-up), with their stable invoice_line_id and their place on the
    invoice. A line rates one account (usage_account_id) and goes on the invoice of the account
    that account is billed to (itself, or its parent: data contract section 7.4). Frozen periods
    are computed too: fct_invoice_lines shows the frozen rows instead, and
    int_invoice_adjustments bills the difference.
#}

with

charge_lines as (

    select * from {{ ref('int_invoice_charge_lines') }}

),

discount_lines as (

    select * from {{ ref('int_invoice_discount_lines') }}

),

commitment_lines as (

    select * from {{ ref('int_invoice_commitment_lines') }}

),

accounts as (

    select * from {{ ref('stg_accounts') }}

),

-- the step models, and whether their lines have a meter, price, group and quantity (the
-- lines of a contract period as a whole have none)
{%- set steps = {'charge_lines': true, 'discount_lines': false, 'commitment_lines': false} %}

lines as (

    {%- for step, priced in steps.items() %}
        select
            account_id,
            contract_id,
            period_start,
            period_end,
            line_type,
            {%- if priced %}
                meter_id,
                price_id,
                dimension_value,
                quantity,
            {%- else %}
                cast(null as {{ dbt.type_string() }}) as meter_id,
                cast(null as {{ dbt.type_string() }}) as price_id,
                cast(null as {{ dbt.type_string() }}) as dimension_value,
                cast(null as {{ meterline.quantity_type() }}) as quantity,
            {%- endif %}
            amount,
            currency,
            description
        from {{ step }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

billed_to as (

    select
        lines.*,
        accounts.bill_to_account_id
    from lines
    inner join accounts
        on lines.account_id = accounts.account_id

),

invoiced as (

    select
        *,
        {{ meterline.invoice_key('bill_to_account_id', 'currency', 'period_start', 'period_end') }} as invoice_id
    from billed_to

),

final as (

    select
        -- ids (no grant: the key of fct_invoice_lines for a line without a grant)
        {{ meterline.invoice_line_key(
            'invoice_id', 'line_type', 'contract_id', 'price_id', 'dimension_value'
        ) }} as invoice_line_id,
        invoice_id,
        bill_to_account_id as account_id,
        account_id as usage_account_id,
        contract_id,

        -- dates
        period_start,
        period_end,

        -- line
        line_type,
        cast({{ meterline.line_type_case('line_type', 'sequence') }} as integer) as line_sequence,
        meter_id,
        price_id,
        dimension_value,
        cast(quantity as {{ meterline.quantity_type() }}) as quantity,
        cast(amount as {{ meterline.money_type() }}) as amount,
        currency,
        description
    from invoiced

)

select * from final

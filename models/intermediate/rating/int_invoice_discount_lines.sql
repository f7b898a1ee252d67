{#
    Per contract inside an invoice, after its charge lines and in this order:
    `discount` = -round(discount_percent % of the contract's usage and fixed
    lines: one-time fees are never discounted), then `minimum_true_up` = the contract's minimum commitment minus
    its lines so far (charges and discount), when positive. The minimum is per
    billing period and is not prorated.
#}

with

contract_periods as (

    select * from {{ ref('int_contract_periods') }}

),

charge_lines as (

    select * from {{ ref('int_invoice_charge_lines') }}

),

currencies as (

    select * from {{ ref('stg_currencies') }}

),

contract_charges as (

    select
        contract_id,
        period_start,
        sum(amount) as charge_amount
    from charge_lines
    where line_type in {{ meterline.line_type_list('subtotal') }}
    group by
        contract_id,
        period_start

),

discounted as (

    select
        contract_periods.account_id,
        contract_periods.contract_id,
        contract_periods.period_start,
        contract_periods.period_end,
        contract_periods.currency,
        contract_periods.discount_percent,
        contract_periods.minimum_commitment,
        currencies.minor_units,
        coalesce(contract_charges.charge_amount, 0) as charge_amount,
        case
            when contract_periods.discount_percent > 0
                then -{{ meterline.round_money(
                    meterline.percent_of_amount(
                        'coalesce(contract_charges.charge_amount, 0)', 'contract_periods.discount_percent'
                    ),
                    'currencies.minor_units'
                ) }}
            else cast(0 as {{ meterline.money_type() }})
        end as discount_amount
    from contract_periods
    inner join currencies
        on contract_periods.currency = currencies.currency
    left join contract_charges
        on
            contract_periods.contract_id = contract_charges.contract_id
            and contract_periods.period_start = contract_charges.period_start

),

trued_up as (

    select
        *,
        case
            when
                minimum_commitment is not null
                and minimum_commitment - (charge_amount + discount_amount) > 0
                then {{ meterline.round_money(
                    'minimum_commitment - (charge_amount + discount_amount)', 'minor_units'
                ) }}
            else cast(0 as {{ meterline.money_type() }})
        end as true_up_amount
    from discounted

),

discount_lines as (

    select
        account_id,
        contract_id,
        period_start,
        period_end,
        'discount' as line_type,
        discount_amount as amount,
        currency,
        concat(
            'Discount ', {{ meterline.format_number('discount_percent') }}, '% of ',
            {{ meterline.format_money('charge_amount', 'minor_units') }}
        ) as description
    from trued_up
    where discount_amount <> 0

),

true_up_lines as (

    select
        account_id,
        contract_id,
        period_start,
        period_end,
        'minimum_true_up' as line_type,
        true_up_amount as amount,
        currency,
        concat(
            'Minimum commitment true-up: ',
            {{ meterline.format_money('minimum_commitment', 'minor_units') }}, ' committed, ',
            {{ meterline.format_money('charge_amount + discount_amount', 'minor_units') }}, ' billed'
        ) as description
    from trued_up
    where true_up_amount <> 0

),

unioned as (

    select * from discount_lines
    union all
    select * from true_up_lines

),

final as (

    select
        -- ids
        account_id,
        contract_id,

        -- dates
        period_start,
        period_end,

        -- line
        line_type,
        cast(amount as {{ meterline.money_type() }}) as amount,
        currency,
        description
    from unioned

)

select * from final

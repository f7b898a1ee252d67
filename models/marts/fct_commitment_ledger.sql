{#
    Commitment movements (data contract section 7.3), from int_commitment_periods, in period
    order and within a period: fee, drawdown, overage, true_up, expired. amount is the
    movement (fee, overage, true_up positive; drawdown, expired negative); balance_after is,
    for a prepaid commitment, the amount left to draw down, and for a postpaid one the
    shortfall still to reach the amount. A postpaid commitment's drawdowns are the usage that
    counts toward it (no invoice line). What a prepaid term leaves expires once as_of reaches
    its end. Decision log: "Commitments: drawdown, overage and true-up".
#}

with

commitment_periods as (

    select * from {{ ref('int_commitment_periods') }}

),

accounts as (

    select * from {{ ref('stg_accounts') }}

),

invoiced as (

    select
        commitment_periods.*,
        {{ meterline.invoice_key(
            'accounts.bill_to_account_id', 'commitment_periods.currency',
            'commitment_periods.period_start', 'commitment_periods.period_end'
        ) }} as invoice_id,
        commitment_periods.balance_after + commitment_periods.drawdown_amount as balance_before
    from commitment_periods
    inner join accounts
        on commitment_periods.account_id = accounts.account_id

),

entries as (

    select
        *,
        'fee' as entry_type,
        1 as entry_order,
        fee_amount as entry_amount,
        balance_before as entry_balance_after
    from invoiced
    where fee_amount <> 0
    union all
    select
        *,
        'drawdown' as entry_type,
        2 as entry_order,
        -drawdown_amount as entry_amount,
        balance_after as entry_balance_after
    from invoiced
    where drawdown_amount <> 0
    union all
    select
        *,
        'overage' as entry_type,
        3 as entry_order,
        overage_amount as entry_amount,
        balance_after as entry_balance_after
    from invoiced
    where overage_amount <> 0
    union all
    select
        *,
        'true_up' as entry_type,
        4 as entry_order,
        true_up_amount as entry_amount,
        cast(0 as {{ meterline.money_type() }}) as entry_balance_after
    from invoiced
    where true_up_amount <> 0
    union all
    select
        *,
        'expired' as entry_type,
        5 as entry_order,
        -balance_after as entry_amount,
        cast(0 as {{ meterline.money_type() }}) as entry_balance_after
    from invoiced
    where
        commitment_type = 'prepaid'
        and is_last_term_period
        and balance_after > 0
        and term_ends_on <= {{ meterline.as_of_literal() }}

),

final as (

    select
        -- contract columns (data contract section 7.3), in order
        commitment_id,
        contract_id,
        account_id,
        invoice_id,
        period_start,
        entry_type,
        cast(entry_amount as {{ meterline.money_type() }}) as amount,
        cast(entry_balance_after as {{ meterline.money_type() }}) as balance_after,

        -- optional
        commitment_type,
        currency,
        period_end,
        cast(row_number() over (
            partition by commitment_id
            order by period_start, entry_order
        ) as integer) as entry_sequence
    from entries

)

select * from final

{#
    Commitments (data contract section 7.3), one row per commitment and billing period of its
    term that is computed (int_contract_periods): what the period draws, owes and leaves.
    Decision log: "Commitments: drawdown, overage and true-up".

    eligible_amount e = the period's rounded usage lines (plus its fixed lines for
    usage_and_fixed) - round(discount_percent % of that sum). With C the running sum of e over
    the term in period order (e is never negative: no line it sums is):
      prepaid   fee       upfront: the amount on the term's first period; per_period:
                          round(amount / N) on each of the N periods, the last taking the rest
                drawdown  min(e, balance) = min(C, amount) - min(C - e, amount)
                overage   e - drawdown; surcharge = round(overage x surcharge %)
                expired   what is left after the term's last period
      postpaid  drawdown  the same figure: the part of e that counts toward the amount (no
                          line: only fct_commitment_ledger shows it)
                true_up   amount - C on the term's last period, when positive
    so no step needs the previous row's result: every figure is a window sum.
#}

with

commitments as (

    select * from {{ ref('stg_commitments') }}

),

contracts as (

    select * from {{ ref('stg_contracts') }}

),

contract_periods as (

    select * from {{ ref('int_contract_periods') }}

),

charge_lines as (

    select * from {{ ref('int_invoice_charge_lines') }}

),

currencies as (

    select * from {{ ref('stg_currencies') }}

),

term_periods as (

    select
        -- ids
        commitments.commitment_id,
        commitments.contract_id,
        contract_periods.account_id,

        -- definition
        commitments.commitment_type,
        commitments.fee_schedule,
        commitments.applies_to,
        commitments.overage_surcharge_percent,
        commitments.amount as commitment_amount,
        contract_periods.discount_percent,

        -- dates
        commitments.starts_on as term_starts_on,
        commitments.ends_on as term_ends_on,
        contract_periods.period_start,
        contract_periods.period_end,

        -- term position: the term starts and ends on period boundaries or on the contract's
        -- first and last day (a data test checks it), so its periods are those from the one
        -- containing starts_on to the one containing its last day
        contract_periods.period_index
        - {{ meterline.billing_period_index('commitments.starts_on', 'contracts.bill_anchor_on', 'contracts.period_months') }}
        + 1 as term_period_number,
        (
            {{ meterline.billing_period_index(
                'cast(' ~ dbt.dateadd('day', -1, 'commitments.ends_on') ~ ' as date)',
                'contracts.bill_anchor_on', 'contracts.period_months'
            ) }}
            - {{ meterline.billing_period_index('commitments.starts_on', 'contracts.bill_anchor_on', 'contracts.period_months') }}
            + 1
        ) as term_period_count,

        -- money
        contract_periods.currency,
        currencies.minor_units
    from commitments
    inner join contracts
        on commitments.contract_id = contracts.contract_id
    inner join contract_periods
        on
            contracts.contract_id = contract_periods.contract_id
            and commitments.starts_on < contract_periods.period_end
            and commitments.ends_on > contract_periods.period_start
    inner join currencies
        on contract_periods.currency = currencies.currency

),

period_charges as (

    select
        term_periods.commitment_id,
        term_periods.period_start,
        coalesce(sum(charge_lines.amount), 0) as charge_amount
    from term_periods
    left join charge_lines
        on
            term_periods.contract_id = charge_lines.contract_id
            and term_periods.period_start = charge_lines.period_start
            and (
                charge_lines.line_type = 'usage'
                or (charge_lines.line_type = 'fixed' and term_periods.applies_to = 'usage_and_fixed')
            )
    group by
        term_periods.commitment_id,
        term_periods.period_start

),

eligible as (

    select
        term_periods.*,
        period_charges.charge_amount,
        period_charges.charge_amount
        - case
            when term_periods.discount_percent > 0
                then {{ meterline.round_money(
                    meterline.percent_of_amount('period_charges.charge_amount', 'term_periods.discount_percent'),
                    'term_periods.minor_units'
                ) }}
            else 0
        end as eligible_amount
    from term_periods
    inner join period_charges
        on
            term_periods.commitment_id = period_charges.commitment_id
            and term_periods.period_start = period_charges.period_start

),

accumulated as (

    select
        *,
        sum(eligible_amount) over (
            partition by commitment_id
            order by period_start
            rows between unbounded preceding and current row
        ) as eligible_to_date
    from eligible

),

drawn as (

    select
        *,
        -- per_period fee: round(amount / N) each, the last period taking the rest
        {{ meterline.round_money(
            meterline.divide_by_count('commitment_amount', 'term_period_count'), 'minor_units'
        ) }} as regular_fee_amount,
        case when eligible_to_date < commitment_amount then eligible_to_date else commitment_amount end
        - case
            when eligible_to_date - eligible_amount < commitment_amount then eligible_to_date - eligible_amount
            else commitment_amount
        end as drawdown_amount
    from accumulated

),

final as (

    select
        -- ids
        commitment_id,
        contract_id,
        account_id,

        -- definition
        commitment_type,
        fee_schedule,
        applies_to,
        overage_surcharge_percent,

        -- dates
        term_starts_on,
        term_ends_on,
        period_start,
        period_end,
        cast(term_period_number as integer) as term_period_number,
        cast(term_period_count as integer) as term_period_count,
        term_period_number = term_period_count as is_last_term_period,

        -- money
        currency,
        minor_units,
        cast(commitment_amount as {{ meterline.money_type() }}) as commitment_amount,
        cast(charge_amount as {{ meterline.money_type() }}) as charge_amount,
        cast(eligible_amount as {{ meterline.money_type() }}) as eligible_amount,
        cast(eligible_to_date as {{ meterline.money_type() }}) as eligible_to_date,
        cast(case
            when commitment_type <> 'prepaid' then 0
            when fee_schedule = 'upfront' and term_period_number = 1 then commitment_amount
            when fee_schedule = 'upfront' then 0
            when term_period_number < term_period_count then regular_fee_amount
            else commitment_amount - regular_fee_amount * (term_period_count - 1)
        end as {{ meterline.money_type() }}) as fee_amount,
        cast(drawdown_amount as {{ meterline.money_type() }}) as drawdown_amount,
        cast(case
            when commitment_type = 'prepaid' then eligible_amount - drawdown_amount else 0
        end as {{ meterline.money_type() }}) as overage_amount,
        cast(case
            when commitment_type = 'prepaid' and eligible_amount - drawdown_amount > 0
                then {{ meterline.round_money(
                    meterline.percent_of_amount('eligible_amount - drawdown_amount', 'overage_surcharge_percent'),
                    'minor_units'
                ) }}
            else 0
        end as {{ meterline.money_type() }}) as surcharge_amount,
        -- prepaid: left to draw down; postpaid: the shortfall still to reach the amount
        cast(case
            when eligible_to_date < commitment_amount then commitment_amount - eligible_to_date
            else 0
        end as {{ meterline.money_type() }}) as balance_after,
        cast(case
            when
                commitment_type = 'postpaid'
                and term_period_number = term_period_count
                and commitment_amount - eligible_to_date > 0
                then commitment_amount - eligible_to_date
            else 0
        end as {{ meterline.money_type() }}) as true_up_amount
    from drawn

)

select * from final

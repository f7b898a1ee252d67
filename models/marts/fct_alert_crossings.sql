{#
    Grain: alert rule, account, period (or balance) and threshold level crossed (key
    alert_crossing_id). For each rule of stg_alert_rules, every level its figure has reached:

      meter_quantity   the meter's period quantity (fct_period_usage), its groups and the
                       contracts of the period combined by dim_meters.group_total; levels
                       threshold + k x recurring_every at or below it
      period_amount    the invoice's lines before credits (fct_invoices.total plus the credit
                       lines of fct_invoice_lines); levels as above
      credit_balance   each credit grant's balance (fct_credit_ledger); a level
                       threshold - k x recurring_every (down to 0) is crossed by the first
                       entry that leaves the balance at or below it
      commitment_balance   each prepaid commitment's balance (fct_commitment_ledger), as above

    The key hashes the rule, the account, the period (period_start, period_end, currency) or
    the balance (grant or commitment id) and the level's value, never a value or a date that a
    late event could change: recomputed, a crossing keeps its key, and the alert is sent once
    (orchestration/billing/alerts.py). DECISIONLOG "Alerts: crossings and once-only delivery".
#}

with

rules as (

    select * from {{ ref('stg_alert_rules') }}

),

period_usage as (

    select * from {{ ref('fct_period_usage') }}

),

meters as (

    select * from {{ ref('dim_meters') }}

),

invoices as (

    select * from {{ ref('fct_invoices') }}

),

invoice_lines as (

    select * from {{ ref('fct_invoice_lines') }}

),

contracts as (

    select * from {{ ref('dim_contracts') }}

),

credit_ledger as (

    select * from {{ ref('fct_credit_ledger') }}

),

commitment_ledger as (

    select * from {{ ref('fct_commitment_ledger') }}

),

-- rules that can be evaluated (the others fail a test and stop this model; never guessed)
watched_rules as (

    select * from rules
    where
        threshold is not null
        and direction in ('above', 'below')
        and (recurring_every is null or recurring_every > 0)

),

-- level indexes 0 .. 9999: level k is threshold + k x step (above) or threshold - k x step
-- (below); a rule without a step has level 0 only
digits as (

    select digit_values.digit
    from (values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) as digit_values (digit)

),

level_indexes as (

    select thousands.digit * 1000 + hundreds.digit * 100 + tens.digit * 10 + ones.digit as level_index
    from digits as thousands
    cross join digits as hundreds
    cross join digits as tens
    cross join digits as ones

),

rule_levels as (

    select
        watched_rules.alert_rule_id,
        level_indexes.level_index,
        -- exact on every engine: the seed's values have at most 13 integer and 9 fractional
        -- digits (decimal(22, 9)), an index at most 4 digits; 22 + 5 + 1 digits stay below
        -- the 38 at which Spark would drop fractional digits
        cast(
            case
                when watched_rules.direction = 'above'
                    then
                        cast(watched_rules.threshold as decimal(22, 9))
                        + cast(level_indexes.level_index as decimal(5, 0))
                        * cast(coalesce(watched_rules.recurring_every, 0) as decimal(22, 9))
                else
                    cast(watched_rules.threshold as decimal(22, 9))
                    - cast(level_indexes.level_index as decimal(5, 0))
                    * cast(coalesce(watched_rules.recurring_every, 0) as decimal(22, 9))
            end
            as {{ meterline.quantity_type() }}
        ) as threshold_level
    from watched_rules
    inner join level_indexes
        on
            level_indexes.level_index = 0
            or watched_rules.recurring_every is not null

),

-- accounts with a contract on a rule's plan, and the periods or days it covers
plan_contracts as (

    select
        watched_rules.alert_rule_id,
        contracts.account_id,
        contracts.plan_currency,
        contracts.starts_on,
        contracts.ends_on
    from watched_rules
    inner join contracts
        on watched_rules.plan_id = contracts.plan_id

),

-- meter_quantity: one figure per account and period
meter_rows as (

    select
        watched_rules.alert_rule_id,
        period_usage.account_id,
        period_usage.period_start,
        period_usage.period_end,
        meters.group_total,
        period_usage.quantity
    from watched_rules
    inner join period_usage
        on
            watched_rules.meter_id = period_usage.meter_id
            and (
                watched_rules.account_id = period_usage.account_id
                or watched_rules.plan_id = period_usage.plan_id
            )
    inner join meters
        on period_usage.meter_id = meters.meter_id
    where watched_rules.metric = 'meter_quantity'

),

meter_figures as (

    select
        alert_rule_id,
        account_id,
        cast(null as {{ dbt.type_string() }}) as currency,
        period_start,
        period_end,
        -- every branch of a union in one type: a union of decimal(38, 9) and decimal(38, 4)
        -- would round the quantities to 4 places
        cast(
            case group_total
                when 'sum' then sum(quantity)
                when 'max' then max(quantity)
                when 'min' then min(quantity)
            end
            as {{ meterline.quantity_type() }}
        ) as current_value
    from meter_rows
    group by alert_rule_id, account_id, period_start, period_end, group_total

),

-- period_amount: the invoice's lines before credits (credits are a means of paying)
credit_lines as (

    select
        invoice_id,
        sum(amount) as credit_amount
    from invoice_lines
    where line_type = 'credit'
    group by invoice_id

),

invoice_amounts as (

    select
        invoices.invoice_id,
        invoices.account_id,
        invoices.currency,
        invoices.period_start,
        invoices.period_end,
        invoices.total - coalesce(credit_lines.credit_amount, 0) as amount_before_credits
    from invoices
    left join credit_lines
        on invoices.invoice_id = credit_lines.invoice_id

),

account_invoices as (

    select
        watched_rules.alert_rule_id,
        invoice_amounts.invoice_id
    from watched_rules
    inner join invoice_amounts
        on watched_rules.account_id = invoice_amounts.account_id
    where watched_rules.metric = 'period_amount'

),

plan_invoices as (

    select distinct
        plan_contracts.alert_rule_id,
        invoice_amounts.invoice_id
    from plan_contracts
    inner join watched_rules
        on plan_contracts.alert_rule_id = watched_rules.alert_rule_id
    inner join invoice_amounts
        on
            plan_contracts.account_id = invoice_amounts.account_id
            and plan_contracts.plan_currency = invoice_amounts.currency
            and plan_contracts.starts_on < invoice_amounts.period_end
            and (plan_contracts.ends_on is null or plan_contracts.ends_on > invoice_amounts.period_start)
    where watched_rules.metric = 'period_amount'

),

rule_invoices as (

    select * from account_invoices
    union all
    select * from plan_invoices

),

amount_figures as (

    select
        rule_invoices.alert_rule_id,
        invoice_amounts.account_id,
        invoice_amounts.currency,
        invoice_amounts.period_start,
        invoice_amounts.period_end,
        cast(invoice_amounts.amount_before_credits as {{ meterline.quantity_type() }}) as current_value
    from rule_invoices
    inner join invoice_amounts
        on rule_invoices.invoice_id = invoice_amounts.invoice_id

),

period_figures as (

    select * from meter_figures
    union all
    select * from amount_figures

),

period_crossings as (

    select
        period_figures.alert_rule_id,
        period_figures.account_id,
        period_figures.currency,
        period_figures.period_start,
        period_figures.period_end,
        cast(null as {{ dbt.type_string() }}) as balance_id,
        rule_levels.level_index,
        rule_levels.threshold_level,
        cast(null as date) as crossed_on,
        cast(null as {{ meterline.quantity_type() }}) as crossed_value,
        period_figures.current_value
    from period_figures
    inner join watched_rules
        on period_figures.alert_rule_id = watched_rules.alert_rule_id
    inner join rule_levels
        on period_figures.alert_rule_id = rule_levels.alert_rule_id
    where
        period_figures.current_value >= rule_levels.threshold_level
        and (watched_rules.currency is null or period_figures.currency = watched_rules.currency)
        and (watched_rules.active_from is null or period_figures.period_end > watched_rules.active_from)
        and (watched_rules.active_to is null or period_figures.period_start < watched_rules.active_to)

),

-- balances: every entry of a credit grant or a prepaid commitment, in its order
balance_entries as (

    select
        grant_id as balance_id,
        account_id,
        currency,
        cast(null as {{ dbt.type_string() }}) as contract_id,
        'credit_balance' as metric,
        entry_on,
        entry_sequence,
        cast(balance_after as {{ meterline.quantity_type() }}) as balance_after
    from credit_ledger
    union all
    select
        commitment_id as balance_id,
        account_id,
        currency,
        contract_id,
        'commitment_balance' as metric,
        period_start as entry_on,
        entry_sequence,
        cast(balance_after as {{ meterline.quantity_type() }}) as balance_after
    from commitment_ledger
    -- a postpaid commitment's balance is a shortfall, not money left (DECISIONLOG)
    where commitment_type = 'prepaid'

),

current_balances as (

    select
        balance_id,
        metric,
        balance_after as current_value
    from (
        select
            balance_id,
            metric,
            balance_after,
            row_number() over (partition by metric, balance_id order by entry_sequence desc) as recency
        from balance_entries
    ) as ranked
    where recency = 1

),

plan_accounts as (

    select distinct
        alert_rule_id,
        account_id
    from plan_contracts

),

rule_balance_entries as (

    select
        watched_rules.alert_rule_id,
        balance_entries.*
    from watched_rules
    inner join balance_entries
        on watched_rules.metric = balance_entries.metric
    left join contracts
        on balance_entries.contract_id = contracts.contract_id
    left join plan_accounts
        on
            watched_rules.alert_rule_id = plan_accounts.alert_rule_id
            and balance_entries.account_id = plan_accounts.account_id
    where
        (
            watched_rules.account_id = balance_entries.account_id
            -- a plan's rule: the commitments of its contracts, the grants of its accounts
            or (balance_entries.metric = 'commitment_balance' and watched_rules.plan_id = contracts.plan_id)
            or (balance_entries.metric = 'credit_balance' and plan_accounts.account_id is not null)
        )
        and (watched_rules.currency is null or balance_entries.currency = watched_rules.currency)
        and (watched_rules.active_from is null or balance_entries.entry_on >= watched_rules.active_from)
        and (watched_rules.active_to is null or balance_entries.entry_on < watched_rules.active_to)

),

balance_level_entries as (

    select
        rule_balance_entries.*,
        rule_levels.level_index,
        rule_levels.threshold_level,
        row_number() over (
            partition by rule_balance_entries.alert_rule_id, rule_balance_entries.balance_id, rule_levels.level_index
            order by rule_balance_entries.entry_sequence
        ) as entry_rank
    from rule_balance_entries
    inner join rule_levels
        on rule_balance_entries.alert_rule_id = rule_levels.alert_rule_id
    where
        rule_levels.threshold_level >= 0
        and rule_balance_entries.balance_after <= rule_levels.threshold_level

),

balance_crossings as (

    select
        balance_level_entries.alert_rule_id,
        balance_level_entries.account_id,
        balance_level_entries.currency,
        cast(null as date) as period_start,
        cast(null as date) as period_end,
        balance_level_entries.balance_id,
        balance_level_entries.level_index,
        balance_level_entries.threshold_level,
        balance_level_entries.entry_on as crossed_on,
        balance_level_entries.balance_after as crossed_value,
        current_balances.current_value
    from balance_level_entries
    inner join current_balances
        on
            balance_level_entries.balance_id = current_balances.balance_id
            and balance_level_entries.metric = current_balances.metric
    where balance_level_entries.entry_rank = 1

),

crossings as (

    select * from period_crossings
    union all
    select * from balance_crossings

),

final as (

    select
        -- ids
        cast(
            {{ meterline.surrogate_key([
                'crossings.alert_rule_id',
                'crossings.account_id',
                'crossings.currency',
                'crossings.period_start',
                'crossings.period_end',
                'crossings.balance_id',
                meterline.seed_value_text('crossings.threshold_level'),
            ]) }} as {{ dbt.type_string() }}
        ) as alert_crossing_id,
        cast(crossings.alert_rule_id as {{ dbt.type_string() }}) as alert_rule_id,
        cast(crossings.account_id as {{ dbt.type_string() }}) as account_id,

        -- what is watched
        cast(watched_rules.metric as {{ dbt.type_string() }}) as metric,
        cast(watched_rules.direction as {{ dbt.type_string() }}) as direction,
        cast(watched_rules.meter_id as {{ dbt.type_string() }}) as meter_id,
        cast(crossings.currency as {{ dbt.type_string() }}) as currency,
        cast(crossings.period_start as date) as period_start,
        cast(crossings.period_end as date) as period_end,
        cast(crossings.balance_id as {{ dbt.type_string() }}) as balance_id,

        -- the level crossed
        cast(watched_rules.threshold as {{ meterline.quantity_type() }}) as threshold,
        cast(watched_rules.recurring_every as {{ meterline.quantity_type() }}) as recurring_every,
        cast(crossings.level_index + 1 as integer) as level_number,
        cast(crossings.threshold_level as {{ meterline.quantity_type() }}) as threshold_level,

        -- when and at what value (balances: the entry that crossed it; a period's figure is
        -- a total without a history, so null)
        cast(crossings.crossed_on as date) as crossed_on,
        cast(crossings.crossed_value as {{ meterline.quantity_type() }}) as crossed_value,
        cast(crossings.current_value as {{ meterline.quantity_type() }}) as current_value,
        {{ meterline.as_of_literal() }} as as_of,
        cast(watched_rules.description as {{ dbt.type_string() }}) as description
    from crossings
    inner join watched_rules
        on crossings.alert_rule_id = watched_rules.alert_rule_id

)

select * from final

{#
    Price simulation: the revenue effect of the candidate by plan, month and currency (never
    summed across currencies). A line counts on the plan of its contract on each side (a
    contract moved to another plan moves its revenue); month is the month its billing period
    starts. Amounts are before credits, as if no invoice were frozen (DECISIONLOG "Price
    simulation"). accounts_paying_more / _less count the accounts whose amount in the group
    goes up / down; largest_increase_* is the account whose amount goes up most (ties: the
    first account_id).
    Grain: plan_id, month_start, currency.
#}

with

line_diff as (

    select * from {{ ref('sim_line_diff') }}

),

-- each side's amount on the plan that side bills it under
sides as (

    select
        current_plan_id as plan_id,
        account_id,
        currency,
        cast({{ dbt.date_trunc('month', 'period_start') }} as date) as month_start,
        current_amount,
        cast(0 as {{ meterline.money_type() }}) as candidate_amount
    from line_diff
    where current_amount is not null
    union all
    select
        candidate_plan_id as plan_id,
        account_id,
        currency,
        cast({{ dbt.date_trunc('month', 'period_start') }} as date) as month_start,
        cast(0 as {{ meterline.money_type() }}) as current_amount,
        candidate_amount
    from line_diff
    where candidate_amount is not null

),

accounts as (

    select
        plan_id,
        month_start,
        currency,
        account_id,
        sum(current_amount) as current_amount,
        sum(candidate_amount) as candidate_amount,
        sum(candidate_amount) - sum(current_amount) as delta
    from sides
    group by
        plan_id,
        month_start,
        currency,
        account_id

),

ranked as (

    select
        *,
        row_number() over (
            partition by plan_id, month_start, currency
            order by delta desc, account_id asc
        ) as increase_rank
    from accounts

),

groups as (

    select
        plan_id,
        month_start,
        currency,
        sum(current_amount) as current_revenue,
        sum(candidate_amount) as candidate_revenue,
        sum(delta) as revenue_delta,
        count(*) as account_count,
        sum(case when delta > 0 then 1 else 0 end) as accounts_paying_more,
        sum(case when delta < 0 then 1 else 0 end) as accounts_paying_less
    from accounts
    group by
        plan_id,
        month_start,
        currency

),

final as (

    select
        -- ids
        groups.plan_id,
        groups.month_start,
        groups.currency,

        -- money
        cast(groups.current_revenue as {{ meterline.money_type() }}) as current_revenue,
        cast(groups.candidate_revenue as {{ meterline.money_type() }}) as candidate_revenue,
        cast(groups.revenue_delta as {{ meterline.money_type() }}) as revenue_delta,

        -- accounts
        cast(groups.account_count as bigint) as account_count,
        cast(groups.accounts_paying_more as bigint) as accounts_paying_more,
        cast(groups.accounts_paying_less as bigint) as accounts_paying_less,
        case when ranked.delta > 0 then ranked.account_id end as largest_increase_account_id,
        cast(case when ranked.delta > 0 then ranked.delta end as {{ meterline.money_type() }})
            as largest_increase
    from groups
    left join ranked
        on
            groups.plan_id = ranked.plan_id
            and groups.month_start = ranked.month_start
            and groups.currency = ranked.currency
            and ranked.increase_rank = 1

)

select * from final

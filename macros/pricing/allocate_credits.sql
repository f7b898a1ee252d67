{#
    Sequential prepaid credit allocation, as one query over
    - eligibility: invoice_id, grant_id, period_sequence (1, 2, ... per account
      and currency, in period order), grant_rank (order of use inside the
      invoice), amount_due (what the invoice still owes before credits, >= 0);
    - grants: grant_id, amount.
    Returns invoice_id, grant_id, period_sequence, grant_rank, applied_amount
    (one row per eligibility row, 0 where nothing was applied).

    A grant's balance in a period is what earlier periods left, so the periods
    are unrolled into `steps` plain-SQL steps (window sums and joins, no
    recursive CTE: portable to every engine). In each step an invoice takes
    from each eligible grant, in grant_rank order,
    min(balance, amount_due - balances of the grants before it), never below 0.
#}
{% macro allocate_credits(eligibility, grants, steps) -%}
    {{ return(adapter.dispatch('allocate_credits', 'meterline')(eligibility, grants, steps)) }}
{%- endmacro %}

{% macro default__allocate_credits(eligibility, grants, steps) -%}
    {%- if steps | int == 0 -%}
    select
        cast(null as {{ dbt.type_string() }}) as invoice_id,
        cast(null as {{ dbt.type_string() }}) as grant_id,
        cast(null as integer) as period_sequence,
        cast(null as integer) as grant_rank,
        cast(null as {{ meterline.money_type() }}) as applied_amount
    from {{ grants }}
    where 1 = 0
    {%- else -%}
    with

    balance_0 as (
        select
            grant_id,
            cast(amount as {{ meterline.money_type() }}) as balance
        from {{ grants }}
    ),
    {%- for step in range(1, steps | int + 1) %}

    allocation_{{ step }} as (
        select
            eligible.invoice_id,
            eligible.grant_id,
            eligible.period_sequence,
            eligible.grant_rank,
            balance_{{ step - 1 }}.balance as balance_before,
            eligible.amount_due - coalesce(sum(balance_{{ step - 1 }}.balance) over (
                partition by eligible.invoice_id
                order by eligible.grant_rank
                rows between unbounded preceding and 1 preceding
            ), 0) as still_due
        from {{ eligibility }} as eligible
        inner join balance_{{ step - 1 }}
            on eligible.grant_id = balance_{{ step - 1 }}.grant_id
        where eligible.period_sequence = {{ step }}
    ),

    applied_{{ step }} as (
        select
            invoice_id,
            grant_id,
            period_sequence,
            grant_rank,
            cast(case
                when still_due <= 0 then 0
                when balance_before < still_due then balance_before
                else still_due
            end as {{ meterline.money_type() }}) as applied_amount
        from allocation_{{ step }}
    ),

    balance_{{ step }} as (
        select
            balance_{{ step - 1 }}.grant_id,
            cast(
                balance_{{ step - 1 }}.balance - coalesce(applied_{{ step }}.applied_amount, 0)
                as {{ meterline.money_type() }}
            ) as balance
        from balance_{{ step - 1 }}
        left join applied_{{ step }}
            on balance_{{ step - 1 }}.grant_id = applied_{{ step }}.grant_id
    ){{ ',' if not loop.last }}
    {%- endfor %}

    {% for step in range(1, steps | int + 1) %}
    {{ 'union all' if not loop.first }}
    select * from applied_{{ step }}
    {%- endfor %}
    {%- endif %}
{%- endmacro %}

with

credit_grants as (

    select * from {{ ref('stg_credit_grants') }}

),

computed_applications as (

    select * from {{ ref('int_credit_applications') }}

),

frozen_credit_applications as (

    select * from {{ ref('int_frozen_credit_applications') }}

),

-- frozen invoices keep their frozen credit lines; the others are allocated from what is left
credit_applications as (

    select
        grant_id,
        account_id,
        invoice_id,
        currency,
        period_start,
        applied_amount
    from computed_applications
    union all
    select
        grant_id,
        account_id,
        invoice_id,
        currency,
        period_start,
        applied_amount
    from frozen_credit_applications
    where grant_id is not null

),

granted as (

    select
        grant_id,
        account_id,
        cast(null as {{ dbt.type_string() }}) as invoice_id,
        'granted' as entry_type,
        amount,
        currency,
        effective_on as entry_on,
        0 as entry_order
    from credit_grants

),

applied as (

    select
        grant_id,
        account_id,
        invoice_id,
        'applied' as entry_type,
        -applied_amount as amount,
        currency,
        period_start as entry_on,
        1 as entry_order
    from credit_applications

),

applied_totals as (

    select
        grant_id,
        sum(applied_amount) as applied_amount
    from credit_applications
    group by grant_id

),

expired as (

    select
        credit_grants.grant_id,
        credit_grants.account_id,
        cast(null as {{ dbt.type_string() }}) as invoice_id,
        'expired' as entry_type,
        -(credit_grants.amount - coalesce(applied_totals.applied_amount, 0)) as amount,
        credit_grants.currency,
        credit_grants.expires_on as entry_on,
        2 as entry_order
    from credit_grants
    left join applied_totals
        on credit_grants.grant_id = applied_totals.grant_id
    where
        credit_grants.expires_on <= {{ meterline.as_of_literal() }}
        and credit_grants.amount - coalesce(applied_totals.applied_amount, 0) > 0

),

entries as (

    select * from granted
    union all
    select * from applied
    union all
    select * from expired

),

balanced as (

    select
        *,
        sum(amount) over (
            partition by grant_id
            order by entry_on, entry_order
            rows between unbounded preceding and current row
        ) as balance_after,
        row_number() over (
            partition by grant_id
            order by entry_on, entry_order
        ) as entry_sequence
    from entries

),

final as (

    select
        -- contract columns (data contract section 4), in order
        grant_id,
        account_id,
        invoice_id,
        entry_type,
        cast(amount as {{ meterline.money_type() }}) as amount,
        cast(balance_after as {{ meterline.money_type() }}) as balance_after,

        -- optional
        currency,
        entry_on,
        cast(entry_sequence as integer) as entry_sequence
    from balanced

)

select * from final

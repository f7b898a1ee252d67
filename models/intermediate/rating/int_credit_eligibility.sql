{#
    Which prepaid grants each invoice may draw on, and in which order.

    Only invoices that are not frozen are allocated: a frozen invoice keeps its frozen credit
    lines (int_frozen_credit_applications), and int_credit_applications starts every grant
    from the balance they left. An invoice's amount due before credits is its
    amount_before_credit (int_invoices: its computed lines and the adjustment lines it hosts),
    never below zero. A
    grant of the invoice's account and currency is eligible when the period starts on or after
    its effective_on and before its expires_on. Within an invoice grants are used most
    eligible first (priority ascending, nulls last; earliest expires_on, nulls last;
    grant_id); across invoices in period order (period_sequence).
#}

with

invoices as (

    select * from {{ ref('int_invoices') }}
    where not is_frozen

),

credit_grants as (

    select * from {{ ref('stg_credit_grants') }}

),

eligible as (

    select
        -- ids
        invoices.invoice_id,
        invoices.account_id,
        invoices.currency,
        credit_grants.grant_id,

        -- dates
        invoices.period_start,
        invoices.period_end,
        credit_grants.effective_on,
        credit_grants.expires_on,

        -- ordering
        credit_grants.priority,

        -- numerics
        case
            when invoices.amount_before_credit > 0 then invoices.amount_before_credit
            else cast(0 as {{ meterline.money_type() }})
        end as amount_due,
        credit_grants.amount as grant_amount
    from invoices
    inner join credit_grants
        on
            invoices.account_id = credit_grants.account_id
            and invoices.currency = credit_grants.currency
            and invoices.period_start >= credit_grants.effective_on
            and (credit_grants.expires_on is null or invoices.period_start < credit_grants.expires_on)

),

sequenced as (

    select
        *,
        cast(dense_rank() over (
            partition by account_id, currency
            -- one invoice a step (a quarter and a month may start on the same day)
            order by period_start, period_end, invoice_id
        ) as integer) as period_sequence,
        cast(row_number() over (
            partition by invoice_id
            order by priority asc nulls last, expires_on asc nulls last, grant_id asc
        ) as integer) as grant_rank
    from eligible

)

select * from sequenced

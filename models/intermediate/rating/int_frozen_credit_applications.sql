{#
    Prepaid credit already applied by frozen invoices: one row per frozen credit line, with
    the grant it drew on, as frozen with the line. A credit line frozen before grant_id was
    frozen too has it null: its grant is the one of the invoice's account and currency whose
    key matches the line's id (surrogate_key(invoice_id, 'credit', null, null, null,
    grant_id)). A line no grant matches (its grant was removed from the seed) keeps grant_id
    null and fails a warning test.
#}

with

frozen_lines as (

    select * from {{ ref('stg_billing__final_invoice_lines') }}

),

credit_grants as (

    select * from {{ ref('stg_credit_grants') }}

),

frozen_credit_lines as (

    select * from frozen_lines
    where line_type = 'credit'

),

candidates as (

    select
        frozen_credit_lines.invoice_line_id,
        credit_grants.grant_id
    from frozen_credit_lines
    inner join credit_grants
        on
            frozen_credit_lines.account_id = credit_grants.account_id
            and frozen_credit_lines.currency = credit_grants.currency
    where
        frozen_credit_lines.grant_id is null
        and {{ meterline.invoice_line_key(
            'frozen_credit_lines.invoice_id', "'credit'", grant_id='credit_grants.grant_id'
        ) }} = frozen_credit_lines.invoice_line_id

),

final as (

    select
        -- ids
        frozen_credit_lines.invoice_line_id,
        frozen_credit_lines.invoice_id,
        frozen_credit_lines.account_id,
        frozen_credit_lines.currency,
        coalesce(frozen_credit_lines.grant_id, candidates.grant_id) as grant_id,

        -- dates
        frozen_credit_lines.period_start,
        frozen_credit_lines.period_end,

        -- numerics (credit lines are negative; applied_amount is what the grant lost)
        cast(-frozen_credit_lines.amount as {{ meterline.money_type() }}) as applied_amount
    from frozen_credit_lines
    left join candidates
        on frozen_credit_lines.invoice_line_id = candidates.invoice_line_id

)

select * from final

{#
    Price simulation (var `simulation`; DECISIONLOG "Price simulation"): every computed
    invoice line of all history under the current book (the production rating) and under the
    candidate (this run's rating), matched on the stable invoice_line_id. One row per line
    present on either side; a side without the line has null quantity and amount. Both sides
    are int_invoice_computed_lines: the lines before credits, as if no invoice were frozen.
    Grain: invoice_line_id.
#}
{{- meterline.assert_event_path_inputs_unchanged() }}

with

candidate_lines as (

    select * from {{ ref('int_invoice_computed_lines') }}

),

current_lines as (

    select * from {{ meterline.production_relation('int_invoice_computed_lines') }}

),

candidate_contracts as (

    select * from {{ ref('stg_contracts') }}

),

current_contracts as (

    select * from {{ meterline.production_relation('stg_contracts') }}

),

candidate_priced as (

    select
        candidate_lines.*,
        candidate_contracts.plan_id
    from candidate_lines
    left join candidate_contracts
        on candidate_lines.contract_id = candidate_contracts.contract_id

),

current_priced as (

    select
        current_lines.*,
        current_contracts.plan_id
    from current_lines
    left join current_contracts
        on current_lines.contract_id = current_contracts.contract_id

),

matched as (

    select
        -- ids
        coalesce(candidate_priced.invoice_line_id, current_priced.invoice_line_id) as invoice_line_id,
        coalesce(candidate_priced.invoice_id, current_priced.invoice_id) as invoice_id,
        coalesce(candidate_priced.account_id, current_priced.account_id) as account_id,
        coalesce(candidate_priced.contract_id, current_priced.contract_id) as contract_id,
        current_priced.plan_id as current_plan_id,
        candidate_priced.plan_id as candidate_plan_id,
        coalesce(candidate_priced.meter_id, current_priced.meter_id) as meter_id,
        coalesce(candidate_priced.price_id, current_priced.price_id) as price_id,

        -- dates
        coalesce(candidate_priced.period_start, current_priced.period_start) as period_start,
        coalesce(candidate_priced.period_end, current_priced.period_end) as period_end,

        -- line
        coalesce(candidate_priced.currency, current_priced.currency) as currency,
        coalesce(candidate_priced.line_type, current_priced.line_type) as line_type,
        coalesce(candidate_priced.dimension_value, current_priced.dimension_value) as dimension_value,

        -- numerics
        current_priced.quantity as current_quantity,
        candidate_priced.quantity as candidate_quantity,
        current_priced.amount as current_amount,
        candidate_priced.amount as candidate_amount
    from candidate_priced
    full outer join current_priced
        on candidate_priced.invoice_line_id = current_priced.invoice_line_id

),

final as (

    select
        -- ids
        invoice_line_id,
        invoice_id,
        account_id,
        contract_id,
        current_plan_id,
        candidate_plan_id,
        meter_id,
        price_id,

        -- dates
        period_start,
        period_end,

        -- line
        currency,
        line_type,
        dimension_value,

        -- numerics (a side without the line counts as 0 in the deltas)
        cast(current_quantity as {{ meterline.quantity_type() }}) as current_quantity,
        cast(candidate_quantity as {{ meterline.quantity_type() }}) as candidate_quantity,
        cast(
            coalesce(candidate_quantity, 0) - coalesce(current_quantity, 0)
            as {{ meterline.quantity_type() }}
        ) as quantity_delta,
        cast(current_amount as {{ meterline.money_type() }}) as current_amount,
        cast(candidate_amount as {{ meterline.money_type() }}) as candidate_amount,
        cast(
            coalesce(candidate_amount, 0) - coalesce(current_amount, 0)
            as {{ meterline.money_type() }}
        ) as delta
    from matched

)

select * from final

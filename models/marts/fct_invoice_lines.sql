{#
    Frozen invoices (billing.final_invoices) show their frozen lines exactly as frozen;
    every other invoice shows its computed lines, the adjustment lines it hosts and its
    credit lines. Every column is frozen with the line (the billing tables are made from this
    model's contract), so nothing is recovered later; lines frozen before a column existed
    have it null, and the columns that can be told from the rest (line_sequence,
    usage_account_id, grant_id) are filled in for them.
#}

with

computed_lines as (

    select * from {{ ref('int_invoice_computed_lines') }}

),

adjustments as (

    select * from {{ ref('int_invoice_adjustments') }}

),

credit_applications as (

    select * from {{ ref('int_credit_applications') }}

),

frozen_invoices as (

    select * from {{ ref('stg_billing__final_invoices') }}

),

frozen_lines as (

    select * from {{ ref('stg_billing__final_invoice_lines') }}

),

frozen_credit_applications as (

    select * from {{ ref('int_frozen_credit_applications') }}

),

open_computed_lines as (

    select
        computed_lines.invoice_line_id,
        computed_lines.invoice_id,
        computed_lines.account_id,
        computed_lines.contract_id,
        computed_lines.period_start,
        computed_lines.period_end,
        computed_lines.line_type,
        computed_lines.meter_id,
        computed_lines.price_id,
        computed_lines.dimension_value,
        computed_lines.quantity,
        computed_lines.amount,
        computed_lines.currency,
        computed_lines.description,
        cast(null as {{ dbt.type_string() }}) as grant_id,
        cast(null as {{ dbt.type_string() }}) as adjusted_invoice_line_id,
        computed_lines.usage_account_id,
        computed_lines.line_sequence,
        cast(null as {{ dbt.type_string() }}) as adjusted_invoice_id,
        cast(null as {{ dbt.type_string() }}) as adjusted_line_type,
        cast(null as date) as adjusted_period_start,
        cast(null as date) as adjusted_period_end
    from computed_lines
    left join frozen_invoices
        on computed_lines.invoice_id = frozen_invoices.invoice_id
    where frozen_invoices.invoice_id is null

),

adjustment_lines as (

    select
        invoice_line_id,
        invoice_id,
        account_id,
        contract_id,
        period_start,
        period_end,
        line_type,
        meter_id,
        price_id,
        dimension_value,
        quantity,
        amount,
        currency,
        description,
        cast(null as {{ dbt.type_string() }}) as grant_id,
        adjusted_invoice_line_id,
        usage_account_id,
        line_sequence,
        adjusted_invoice_id,
        adjusted_line_type,
        adjusted_period_start,
        adjusted_period_end
    from adjustments
    where not is_pending

),

credit_lines as (

    select
        {{ meterline.invoice_line_key('invoice_id', "'credit'", grant_id='grant_id') }} as invoice_line_id,
        invoice_id,
        account_id,
        cast(null as {{ dbt.type_string() }}) as contract_id,
        period_start,
        period_end,
        'credit' as line_type,
        cast(null as {{ dbt.type_string() }}) as meter_id,
        cast(null as {{ dbt.type_string() }}) as price_id,
        cast(null as {{ dbt.type_string() }}) as dimension_value,
        cast(null as {{ meterline.quantity_type() }}) as quantity,
        -applied_amount as amount,
        currency,
        concat('Prepaid credit ', grant_id) as description,
        grant_id,
        cast(null as {{ dbt.type_string() }}) as adjusted_invoice_line_id,
        cast(null as {{ dbt.type_string() }}) as usage_account_id,
        cast({{ meterline.line_type_case("'credit'", 'sequence') }} as integer) as line_sequence,
        cast(null as {{ dbt.type_string() }}) as adjusted_invoice_id,
        cast(null as {{ dbt.type_string() }}) as adjusted_line_type,
        cast(null as date) as adjusted_period_start,
        cast(null as date) as adjusted_period_end
    from credit_applications

),

frozen_invoice_lines as (

    select
        frozen_lines.invoice_line_id,
        frozen_lines.invoice_id,
        frozen_lines.account_id,
        frozen_lines.contract_id,
        frozen_lines.period_start,
        frozen_lines.period_end,
        frozen_lines.line_type,
        frozen_lines.meter_id,
        frozen_lines.price_id,
        frozen_lines.dimension_value,
        frozen_lines.quantity,
        frozen_lines.amount,
        frozen_lines.currency,
        frozen_lines.description,
        frozen_credit_applications.grant_id,
        frozen_lines.adjusted_invoice_line_id,
        case
            when frozen_lines.line_type <> 'credit'
                then coalesce(frozen_lines.usage_account_id, frozen_lines.account_id)
        end as usage_account_id,
        coalesce(
            frozen_lines.line_sequence,
            cast({{ meterline.line_type_case('frozen_lines.line_type', 'sequence') }} as integer)
        ) as line_sequence,
        frozen_lines.adjusted_invoice_id,
        frozen_lines.adjusted_line_type,
        frozen_lines.adjusted_period_start,
        frozen_lines.adjusted_period_end
    from frozen_lines
    inner join frozen_invoices
        on frozen_lines.invoice_id = frozen_invoices.invoice_id
    left join frozen_credit_applications
        on frozen_lines.invoice_line_id = frozen_credit_applications.invoice_line_id

),

lines as (

    select * from open_computed_lines
    union all
    select * from adjustment_lines
    union all
    select * from credit_lines
    union all
    select * from frozen_invoice_lines

),

final as (

    select
        -- contract columns (data contract section 4), in order
        invoice_line_id,
        invoice_id,
        account_id,
        contract_id,
        period_start,
        period_end,
        line_type,
        meter_id,
        price_id,
        dimension_value,
        cast(quantity as {{ meterline.quantity_type() }}) as quantity,
        cast(amount as {{ meterline.money_type() }}) as amount,
        currency,
        description,

        -- optional (README, "Extensions to the data contract"); frozen with the line, in this
        -- order (billing tables made before a column existed get it appended)
        adjusted_invoice_line_id,
        grant_id,
        usage_account_id,
        line_sequence,
        adjusted_invoice_id,
        adjusted_line_type,
        adjusted_period_start,
        adjusted_period_end
    from lines

)

select * from final

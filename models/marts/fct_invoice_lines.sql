with

charge_lines as (

    select * from {{ ref('int_invoice_charge_lines') }}

),

commitment_lines as (

    select * from {{ ref('int_invoice_commitment_lines') }}

),

credit_applications as (

    select * from {{ ref('int_credit_applications') }}

),

credit_lines as (

    select
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
        grant_id
    from credit_applications

),

lines as (

    select
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
        cast(null as {{ dbt.type_string() }}) as grant_id
    from charge_lines
    union all
    select
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
        cast(null as {{ dbt.type_string() }}) as grant_id
    from commitment_lines
    union all
    select * from credit_lines

),

final as (

    select
        -- contract columns (data contract section 4), in order
        {{ meterline.surrogate_key([
            'invoice_id', 'line_type', 'contract_id', 'price_id', 'dimension_value', 'grant_id'
        ]) }} as invoice_line_id,
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
        cast(amount as {{ meterline.money_type() }}) as amount,
        currency,
        description,

        -- optional
        grant_id
    from lines

)

select * from final

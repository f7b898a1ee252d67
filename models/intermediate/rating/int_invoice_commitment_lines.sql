{#
    The lines of commitments (data contract section 7.3) for every contract period of a term:
    commitment_fee, commitment_drawdown (negative), overage_surcharge and commitment_true_up,
    each only when not zero. The figures are int_commitment_periods'; this model words them.
#}

with

commitment_periods as (

    select * from {{ ref('int_commitment_periods') }}

),

labeled as (

    select
        *,
        concat(
            case when commitment_type = 'prepaid' then 'Prepaid' else 'Postpaid' end,
            ' commitment ',
            {{ meterline.period_label('term_starts_on', 'term_ends_on') }}
        ) as commitment_label
    from commitment_periods

),

fee_lines as (

    select
        account_id,
        contract_id,
        period_start,
        period_end,
        'commitment_fee' as line_type,
        fee_amount as amount,
        currency,
        concat(
            commitment_label,
            case
                when fee_schedule = 'upfront' then ', billed upfront'
                else concat(
                    ', fee ', cast(term_period_number as {{ dbt.type_string() }}),
                    ' of ', cast(term_period_count as {{ dbt.type_string() }})
                )
            end,
            ' = ', {{ meterline.format_money('fee_amount', 'minor_units') }}
        ) as description
    from labeled
    where fee_amount <> 0

),

drawdown_lines as (

    select
        account_id,
        contract_id,
        period_start,
        period_end,
        'commitment_drawdown' as line_type,
        -drawdown_amount as amount,
        currency,
        concat(
            commitment_label, ': ',
            {{ meterline.format_money('drawdown_amount', 'minor_units') }}, ' drawn, ',
            {{ meterline.format_money('balance_after', 'minor_units') }}, ' left'
        ) as description
    from labeled
    where commitment_type = 'prepaid' and drawdown_amount <> 0

),

surcharge_lines as (

    select
        account_id,
        contract_id,
        period_start,
        period_end,
        'overage_surcharge' as line_type,
        surcharge_amount as amount,
        currency,
        concat(
            'Overage surcharge ', {{ meterline.format_number('overage_surcharge_percent') }}, '% of ',
            {{ meterline.format_money('overage_amount', 'minor_units') }}, ' = ',
            {{ meterline.format_money('surcharge_amount', 'minor_units') }}
        ) as description
    from labeled
    where surcharge_amount <> 0

),

true_up_lines as (

    select
        account_id,
        contract_id,
        period_start,
        period_end,
        'commitment_true_up' as line_type,
        true_up_amount as amount,
        currency,
        concat(
            commitment_label, ' true-up: ',
            {{ meterline.format_money('commitment_amount', 'minor_units') }}, ' committed, ',
            {{ meterline.format_money('eligible_to_date', 'minor_units') }}, ' used = ',
            {{ meterline.format_money('true_up_amount', 'minor_units') }}
        ) as description
    from labeled
    where true_up_amount <> 0

),

unioned as (

    select * from fee_lines
    union all
    select * from drawdown_lines
    union all
    select * from surcharge_lines
    union all
    select * from true_up_lines

),

final as (

    select
        -- ids
        account_id,
        contract_id,

        -- dates
        period_start,
        period_end,

        -- line
        line_type,
        cast(amount as {{ meterline.money_type() }}) as amount,
        currency,
        description
    from unioned

)

select * from final

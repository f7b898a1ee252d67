{#
    The charge lines of every contract period: one usage line per rated usage row (its text
    from its pricing model, macros/pricing/pricing_models.sql), one fixed line per fixed price
    (prorated by covered days) and one one_time line per one-time price in the period that
    contains its bill_on (in full: never prorated), each rounded to the currency's minor
    units, half away from zero. account_id is the account the line rates; the invoice it goes
    on is chosen in int_invoice_computed_lines.
#}

with

rated_usage as (

    select * from {{ ref('int_rated_usage') }}

),

contract_prices as (

    select * from {{ ref('int_contract_prices') }}

),

currencies as (

    select * from {{ ref('stg_currencies') }}

),

meters as (

    select * from {{ ref('stg_meters') }}

),

plans as (

    select * from {{ ref('stg_plans') }}

),

usage_lines as (

    select
        -- ids
        rated_usage.account_id,
        rated_usage.contract_id,
        rated_usage.meter_id,
        rated_usage.price_id,

        -- dates
        rated_usage.period_start,
        rated_usage.period_end,

        -- definition
        'usage' as line_type,
        rated_usage.dimension_value,
        rated_usage.pricing_model,
        rated_usage.tier_scope,
        coalesce(meters.description, rated_usage.meter_id) as meter_label,

        -- numerics
        rated_usage.quantity,
        rated_usage.billable_quantity,
        rated_usage.package_count,
        rated_usage.model_amount,
        rated_usage.priced_event_count,
        -- the pricing models' columns (macros/pricing/pricing_models.sql)
        {%- for column in meterline.price_parameters() %}
            rated_usage.{{ column }},
        {%- endfor %}
        rated_usage.amount as unrounded_amount,
        {{ meterline.round_money('rated_usage.amount', 'currencies.minor_units') }} as amount,

        -- money
        rated_usage.currency,
        currencies.minor_units
    from rated_usage
    inner join currencies
        on rated_usage.currency = currencies.currency
    left join meters
        on rated_usage.meter_id = meters.meter_id

),

described_usage_lines as (

    select
        *,
        concat(
            meter_label,
            case
                when dimension_value is not null then concat(' (', dimension_value, ')')
                when tier_scope = 'meter' then ' (all groups)'
                else ''
            end,
            ': ',
            case
                when quantity - billable_quantity > 0
                    then concat({{ meterline.format_number('quantity - billable_quantity') }}, ' free + ')
                else ''
            end,
            -- each pricing model's own text (macros/pricing/models/)
            {{ meterline.pricing_model_case('pricing_model', 'description', ['']) }},
            ' = ',
            {{ meterline.format_money('amount', 'minor_units') }},
            case
                when minimum_amount is not null and model_amount < minimum_amount
                    then concat(' (minimum ', {{ meterline.format_money('minimum_amount', 'minor_units') }}, ')')
                when maximum_amount is not null and model_amount > maximum_amount
                    then concat(' (maximum ', {{ meterline.format_money('maximum_amount', 'minor_units') }}, ')')
                else ''
            end
        ) as description
    from usage_lines

),

fixed_lines as (

    select
        -- ids
        contract_prices.account_id,
        contract_prices.contract_id,
        contract_prices.price_id,

        -- dates
        contract_prices.period_start,
        contract_prices.period_end,

        -- numerics
        contract_prices.covered_days,
        contract_prices.period_days,
        contract_prices.coverage_start,
        contract_prices.coverage_end,
        {{ meterline.round_money(
            meterline.prorate_amount(
                'contract_prices.fixed_amount', 'contract_prices.covered_days', 'contract_prices.period_days'
            ),
            'currencies.minor_units'
        ) }} as amount,

        -- money
        contract_prices.currency,
        currencies.minor_units,

        -- text
        coalesce(plans.plan_name, contract_prices.plan_id) as plan_label
    from contract_prices
    inner join currencies
        on contract_prices.currency = currencies.currency
    left join plans
        on contract_prices.plan_id = plans.plan_id
    where contract_prices.charge_type = 'fixed'

),

one_time_lines as (

    select
        -- ids
        contract_prices.account_id,
        contract_prices.contract_id,
        contract_prices.price_id,

        -- dates
        contract_prices.period_start,
        contract_prices.period_end,

        -- numerics
        {{ meterline.round_money('contract_prices.fixed_amount', 'currencies.minor_units') }} as amount,

        -- money
        contract_prices.currency,
        currencies.minor_units
    from contract_prices
    inner join currencies
        on contract_prices.currency = currencies.currency
    where contract_prices.charge_type = 'one_time'

),

described_fixed_lines as (

    select
        *,
        concat(
            'Fixed fee (', plan_label, ')',
            -- a period other than a calendar month is named (v1 periods keep the v1 text)
            case
                when not {{ meterline.is_calendar_month('period_start', 'period_end') }}
                    then concat(', ', {{ meterline.period_label('period_start', 'period_end') }})
                else ''
            end,
            case
                when covered_days < period_days and {{ meterline.is_calendar_month('period_start', 'period_end') }}
                    then concat(
                        ', ', cast(covered_days as {{ dbt.type_string() }}),
                        ' of ', cast(period_days as {{ dbt.type_string() }}), ' days'
                    )
                when covered_days < period_days
                    then concat(
                        ' (', {{ meterline.period_label('coverage_start', 'coverage_end') }}, ', ',
                        cast(covered_days as {{ dbt.type_string() }}),
                        ' of ', cast(period_days as {{ dbt.type_string() }}), ' days)'
                    )
                else ''
            end,
            ' = ',
            {{ meterline.format_money('amount', 'minor_units') }}
        ) as description
    from fixed_lines

),

unioned as (

    select
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
        description
    from described_usage_lines
    union all
    select
        account_id,
        contract_id,
        period_start,
        period_end,
        'fixed' as line_type,
        cast(null as {{ dbt.type_string() }}) as meter_id,
        price_id,
        cast(null as {{ dbt.type_string() }}) as dimension_value,
        cast(null as {{ meterline.quantity_type() }}) as quantity,
        amount,
        currency,
        description
    from described_fixed_lines
    union all
    select
        account_id,
        contract_id,
        period_start,
        period_end,
        'one_time' as line_type,
        cast(null as {{ dbt.type_string() }}) as meter_id,
        price_id,
        cast(null as {{ dbt.type_string() }}) as dimension_value,
        cast(null as {{ meterline.quantity_type() }}) as quantity,
        amount,
        currency,
        concat('One-time fee (', price_id, ') = ', {{ meterline.format_money('amount', 'minor_units') }}) as description
    from one_time_lines

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
        meter_id,
        price_id,
        dimension_value,
        quantity,
        amount,
        currency,
        description
    from unioned

)

select * from final

{#
    Pricing rules of data contract section 3, one small macro per rule. Every
    macro returns an exact decimal expression; none divides with `/`.

    Quantities are quantity_type (decimal(37, 9)), unit prices unit_price_type
    (decimal(15, 9)); results are amount_type (decimal(38, 18), unrounded money).
    quantity x unit price is multiplied exactly through whole numbers
    (per_unit_amount). Every amount is below amount_limit() (10^19); an amount
    that would not be is null, never rounded and never an overflow error
    (DECISIONLOG.md, "Amounts that cannot be represented are null").
#}

{# The amount when it is below amount_limit() in magnitude, else null. #}
{% macro representable_amount(amount) -%}
    {{ return(adapter.dispatch('representable_amount', 'meterline')(amount)) }}
{%- endmacro %}

{% macro default__representable_amount(amount) -%}
    case
        when abs({{ amount }}) < {{ meterline.amount_limit() }}
            then cast({{ amount }} as {{ meterline.amount_type() }})
    end
{%- endmacro %}

{#
    An amount below amount_limit() as the type two of which add up exactly on every
    engine: decimal(37, amount scale) (Spark keeps one fractional digit less of a sum
    of two 38-digit decimals).
#}
{% macro addend_amount_type() -%}
    {%- set amount = meterline.decimal_type_digits(meterline.amount_type()) -%}
    decimal(37, {{ amount[1] }})
{%- endmacro %}

{# b = max(q - coalesce(free_quantity, 0), 0); null when q is null #}
{% macro billable_quantity(quantity, free_quantity) -%}
    {{ return(adapter.dispatch('billable_quantity', 'meterline')(quantity, free_quantity)) }}
{%- endmacro %}

{% macro default__billable_quantity(quantity, free_quantity) -%}
    {#- both operands as quantity_type: a difference of two decimal(38, 9) would lose a
        digit on Spark. A null quantity (one that did not fit quantity_type) stays null. -#}
    {%- set q = 'cast(' ~ quantity ~ ' as ' ~ meterline.quantity_type() ~ ')' -%}
    {%- set free = 'coalesce(cast(' ~ free_quantity ~ ' as ' ~ meterline.quantity_type() ~ '), 0)' -%}
    cast(
        case
            when {{ q }} - {{ free }} > 0 then {{ q }} - {{ free }}
            when {{ q }} is not null then 0
        end
        as {{ meterline.quantity_type() }}
    )
{%- endmacro %}

{#
    per_unit: b x unit_amount, exact, or null when the product is not below
    amount_limit(). A plain decimal product of a decimal(37, 9) quantity and a
    decimal(15, 9) price would be wider than Spark keeps exactly (it drops scale
    when p1 + p2 + 1 > 38), so both are scaled to whole numbers B = b x 10^9 and
    P = unit_amount x 10^9 and the product N = B x P is taken in two parts, each
    within 38 digits: with B = Bh x 10^k + Bl (Bl < 10^k),
        N = Bh x P x 10^k + Bl x P,   Bl x P < 10^k x 10^p = 10^t,
    where p is the unit price's precision, t is such that N < 10^t exactly when
    the amount is below amount_limit(), and k = t - p. Bh x P is clamped to
    +-10^p before it is shifted (a larger one means N >= 10^t anyway), so no
    step can overflow: N (or the clamped value) is below 2 x 10^t <= 2 x 10^37.
    The widths are read from the types in macros/types.sql.
#}
{% macro per_unit_amount(billable_quantity, unit_amount) -%}
    {{ return(adapter.dispatch('per_unit_amount', 'meterline')(billable_quantity, unit_amount)) }}
{%- endmacro %}

{% macro default__per_unit_amount(billable_quantity, unit_amount) -%}
    {%- set quantity = meterline.decimal_type_digits(meterline.quantity_type()) -%}
    {%- set price = meterline.decimal_type_digits(meterline.unit_price_type()) -%}
    {%- set amount = meterline.decimal_type_digits(meterline.amount_type()) -%}
    {%- set product_scale = quantity[1] + price[1] -%}
    {%- if product_scale > amount[1] or quantity[0] > 37 or price[0] > 19 -%}
        {{ exceptions.raise_compiler_error(
            "per_unit_amount: " ~ meterline.quantity_type() ~ " x " ~ meterline.unit_price_type()
            ~ " is not exact in " ~ meterline.amount_type()
            ~ " (needs quantity precision <= 37, unit price precision <= 19 and"
            ~ " quantity scale + unit price scale <= amount scale)") }}
    {%- endif -%}
    {#- N < 10^t  <=>  |amount| < amount_limit() = 10^(37 - amount scale) -#}
    {%- set t = 37 - amount[1] + product_scale -%}
    {%- set k = t - price[0] -%}
    {%- set b = meterline.scaled_int(
        'cast(' ~ billable_quantity ~ ' as ' ~ meterline.quantity_type() ~ ')', quantity[1]) -%}
    {%- set p = meterline.scaled_int(
        'cast(' ~ unit_amount ~ ' as ' ~ meterline.unit_price_type() ~ ')', price[1]) -%}
    {%- set product -%}
        (greatest(least(
            {{ meterline.int_divide('ml_operands.b', '1' ~ '0' * k) }} * ml_operands.p,
            1{{ '0' * price[0] }}), -1{{ '0' * price[0] }}) * 1{{ '0' * k }}
        + {{ meterline.int_mod('ml_operands.b', '1' ~ '0' * k) }} * ml_operands.p)
    {%- endset -%}
    {%- set amount_expr -%}
        case
            when abs({{ product }}) < 1{{ '0' * t }} then {{ meterline.unscale_int(product, product_scale) }}
        end
    {%- endset -%}
    cast(
        {{ meterline.let_values('ml_operands', [['b', b], ['p', p]], amount_expr) }}
        as {{ meterline.amount_type() }}
    )
{%- endmacro %}

{#
    Packages started: ceil(b / package_size), exact; null when the count would not fit
    quantity_type (10^28 packages and more) or package_size is not positive. With
    B = b x 10^9 and S = package_size x 10^9: ceil(B / S) < 10^28 <=> B <= (10^28 - 1) x S;
    S is clamped to 10^10 there (a larger S always passes) so the product stays below 10^38.
#}
{% macro package_count(billable_quantity, package_size) -%}
    {{ return(adapter.dispatch('package_count', 'meterline')(billable_quantity, package_size)) }}
{%- endmacro %}

{% macro default__package_count(billable_quantity, package_size) -%}
    {%- set quantity = meterline.decimal_type_digits(meterline.quantity_type()) -%}
    {%- set whole_digits = quantity[0] - quantity[1] -%}
    {%- set b = 'cast(' ~ billable_quantity ~ ' as ' ~ meterline.quantity_type() ~ ')' -%}
    {%- set size = 'cast(' ~ package_size ~ ' as ' ~ meterline.quantity_type() ~ ')' -%}
    cast(
        case
            when
                {{ size }} > 0
                and {{ meterline.scaled_int(b, quantity[1]) }}
                <= {{ '9' * whole_digits }} * least({{ meterline.scaled_int(size, quantity[1]) }}, 1{{ '0' * (38 - whole_digits) }})
                then {{ meterline.ceil_divide_decimal(b, size) }}
        end
        as {{ meterline.quantity_type() }}
    )
{%- endmacro %}

{# package: ceil(b / package_size) x unit_amount (unit_amount per package) #}
{% macro package_amount(billable_quantity, package_size, unit_amount) -%}
    {{ return(adapter.dispatch('package_amount', 'meterline')(billable_quantity, package_size, unit_amount)) }}
{%- endmacro %}

{% macro default__package_amount(billable_quantity, package_size, unit_amount) -%}
    {{ meterline.per_unit_amount(meterline.package_count(billable_quantity, package_size), unit_amount) }}
{%- endmacro %}

{#
    amount = min(max(amount, minimum_amount), maximum_amount), each bound only where set.
    Every branch is amount_type: a CASE over decimal(38, 18) and money's decimal(38, 4)
    would be unified to 4 fractional digits by DuckDB, rounding the unrounded amount
    before the invoice line rounds it again. A bound of amount_limit() or more: a maximum
    that large never applies; a minimum that large makes the amount not representable.
#}
{% macro clamp_amount(amount, minimum_amount, maximum_amount) -%}
    {{ return(adapter.dispatch('clamp_amount', 'meterline')(amount, minimum_amount, maximum_amount)) }}
{%- endmacro %}

{% macro default__clamp_amount(amount, minimum_amount, maximum_amount) -%}
    {%- set a = 'cast(' ~ amount ~ ' as ' ~ meterline.amount_type() ~ ')' -%}
    {%- set low = meterline.representable_amount(minimum_amount) -%}
    {%- set high = meterline.representable_amount(maximum_amount) -%}
    cast(
        case
            when {{ minimum_amount }} is not null and {{ low }} is null then null
            when
                {{ high }} is not null
                and {{ high }} < (case when {{ low }} is not null and {{ a }} < {{ low }} then {{ low }} else {{ a }} end)
                then {{ high }}
            when {{ low }} is not null and {{ a }} < {{ low }} then {{ low }}
            else {{ a }}
        end
        as {{ meterline.amount_type() }}
    )
{%- endmacro %}

{# fixed: fixed_amount x covered_days / period_days, exact to 18 places. #}
{% macro prorate_amount(fixed_amount, covered_days, period_days) -%}
    {{ return(adapter.dispatch('prorate_amount', 'meterline')(fixed_amount, covered_days, period_days)) }}
{%- endmacro %}

{% macro default__prorate_amount(fixed_amount, covered_days, period_days) -%}
    cast(
        {{ meterline.divide_decimal(
            'cast(' ~ fixed_amount ~ ' as ' ~ meterline.money_type() ~ ') * cast(' ~ covered_days ~ ' as integer)',
            'cast(' ~ period_days ~ ' as integer)'
        ) }}
        as {{ meterline.amount_type() }}
    )
{%- endmacro %}

{#
    percent % of amount (e.g. a discount), exact: amount x (percent x 0.01), a product of
    at most 4 + 6 fractional digits that every engine keeps exactly (decimal(24, 4) x
    decimal(12, 6)); null when the amount is 10^20 or more, or the result is not below
    amount_limit().
#}
{% macro percent_of_amount(amount, percent) -%}
    {{ return(adapter.dispatch('percent_of_amount', 'meterline')(amount, percent)) }}
{%- endmacro %}

{% macro default__percent_of_amount(amount, percent) -%}
    {%- set product -%}
        (try_cast({{ amount }} as decimal(24, 4)) * (cast({{ percent }} as decimal(9, 4)) * 0.01))
    {%- endset -%}
    {{ meterline.representable_amount(product) }}
{%- endmacro %}

{#
    Pricing rules of data contract section 3, one small macro per rule. Every
    macro returns an exact decimal expression; none divides with `/`.

    Quantities are cast to quantity_type (decimal(22, 9)) and unit prices to
    unit_price_type (decimal(15, 9)) before multiplying, so a product is at most
    decimal(37, 18) and stays exact on every engine; results are amount_type
    (decimal(38, 18), unrounded money).
#}

{# b = max(q - coalesce(free_quantity, 0), 0) #}
{% macro billable_quantity(quantity, free_quantity) -%}
    {{ return(adapter.dispatch('billable_quantity', 'meterline')(quantity, free_quantity)) }}
{%- endmacro %}

{% macro default__billable_quantity(quantity, free_quantity) -%}
    cast(
        case
            when coalesce({{ quantity }}, 0) - coalesce({{ free_quantity }}, 0) > 0
                then coalesce({{ quantity }}, 0) - coalesce({{ free_quantity }}, 0)
            else 0
        end
        as {{ meterline.quantity_type() }}
    )
{%- endmacro %}

{# per_unit: b x unit_amount #}
{% macro per_unit_amount(billable_quantity, unit_amount) -%}
    {{ return(adapter.dispatch('per_unit_amount', 'meterline')(billable_quantity, unit_amount)) }}
{%- endmacro %}

{% macro default__per_unit_amount(billable_quantity, unit_amount) -%}
    cast(
        cast({{ billable_quantity }} as {{ meterline.quantity_type() }})
        * cast({{ unit_amount }} as {{ meterline.unit_price_type() }})
        as {{ meterline.amount_type() }}
    )
{%- endmacro %}

{# Packages started: ceil(b / package_size), exact. #}
{% macro package_count(billable_quantity, package_size) -%}
    {{ return(adapter.dispatch('package_count', 'meterline')(billable_quantity, package_size)) }}
{%- endmacro %}

{% macro default__package_count(billable_quantity, package_size) -%}
    cast(
        {{ meterline.ceil_divide_decimal(
            'cast(' ~ billable_quantity ~ ' as ' ~ meterline.quantity_type() ~ ')',
            'cast(' ~ package_size ~ ' as ' ~ meterline.quantity_type() ~ ')'
        ) }}
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

{# amount = min(max(amount, minimum_amount), maximum_amount), each bound only where set. #}
{% macro clamp_amount(amount, minimum_amount, maximum_amount) -%}
    {{ return(adapter.dispatch('clamp_amount', 'meterline')(amount, minimum_amount, maximum_amount)) }}
{%- endmacro %}

{% macro default__clamp_amount(amount, minimum_amount, maximum_amount) -%}
    cast(
        case
            when {{ maximum_amount }} is not null
                and {{ maximum_amount }} < (
                    case
                        when {{ minimum_amount }} is not null and {{ amount }} < {{ minimum_amount }}
                            then {{ minimum_amount }}
                        else {{ amount }}
                    end
                )
                then {{ maximum_amount }}
            when {{ minimum_amount }} is not null and {{ amount }} < {{ minimum_amount }}
                then {{ minimum_amount }}
            else {{ amount }}
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

{# percent % of amount (e.g. a discount), exact to 18 places, before rounding. #}
{% macro percent_of_amount(amount, percent) -%}
    {{ return(adapter.dispatch('percent_of_amount', 'meterline')(amount, percent)) }}
{%- endmacro %}

{% macro default__percent_of_amount(amount, percent) -%}
    cast(
        {{ meterline.divide_decimal(
            'cast(' ~ amount ~ ' as decimal(24, 4)) * cast(' ~ percent ~ ' as decimal(9, 4))',
            '100'
        ) }}
        as {{ meterline.amount_type() }}
    )
{%- endmacro %}

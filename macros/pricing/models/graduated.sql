{#
    graduated (data contract section 3): the units of b inside each tier times its
    unit_amount, plus the flat amount of every tier b reaches (tier 1's always).
    Registered in pricing_models(). Example (section 6): tiers (10: 10/u + 2 flat),
    (20: 5/u + 3), (inf: 5/u + 3): 12 units = 10 x 10 + 2 + 2 x 5 + 3 = 115.
#}
{#
    Tiers are a relation joined per price: one row per rated quantity and tier, with the
    tier's bounds `lower_bound` (the previous tier's up_to, 0 for the first tier) and
    `up_to` (null = unbounded) (int_price_tiers). The *_tier_* macros give one tier's share;
    the rating models sum them per rated row (sum_amounts). Any number of tiers and
    fractional units work. A tier's amount is its product plus its flat amount, each below
    amount_limit() (else null) and added as addend_amount_type(), so the sum is exact on
    every engine.
#}

{# Units of b inside a graduated tier: the part of (lower_bound, up_to] below b. #}
{% macro graduated_tier_units(billable_quantity, lower_bound, up_to) -%}
    {{ return(adapter.dispatch('graduated_tier_units', 'meterline')(billable_quantity, lower_bound, up_to)) }}
{%- endmacro %}

{% macro default__graduated_tier_units(billable_quantity, lower_bound, up_to) -%}
    cast(
        case
            when {{ billable_quantity }} > {{ lower_bound }}
                then (
                    case
                        when {{ up_to }} is not null and {{ billable_quantity }} > {{ up_to }} then {{ up_to }}
                        else {{ billable_quantity }}
                    end
                ) - {{ lower_bound }}
            else 0
        end
        as {{ meterline.quantity_type() }}
    )
{%- endmacro %}

{# A graduated tier's flat amount is due when b reaches the tier; the first tier's always. #}
{% macro graduated_tier_flat(billable_quantity, lower_bound, flat_amount, is_first_tier) -%}
    {{ return(adapter.dispatch('graduated_tier_flat', 'meterline')(billable_quantity, lower_bound, flat_amount, is_first_tier)) }}
{%- endmacro %}

{% macro default__graduated_tier_flat(billable_quantity, lower_bound, flat_amount, is_first_tier) -%}
    cast(
        case
            when {{ is_first_tier }} or {{ billable_quantity }} > {{ lower_bound }}
                then {{ meterline.representable_amount('coalesce(' ~ flat_amount ~ ', 0)') }}
            else 0
        end
        as {{ meterline.amount_type() }}
    )
{%- endmacro %}

{# One graduated tier's amount: units in the tier x its unit_amount, plus its flat amount when reached. #}
{% macro graduated_tier_amount(billable_quantity, lower_bound, up_to, unit_amount, flat_amount, is_first_tier) -%}
    {{ return(adapter.dispatch('graduated_tier_amount', 'meterline')(
        billable_quantity, lower_bound, up_to, unit_amount, flat_amount, is_first_tier)) }}
{%- endmacro %}

{% macro default__graduated_tier_amount(billable_quantity, lower_bound, up_to, unit_amount, flat_amount, is_first_tier) -%}
    cast(
        cast({{ meterline.per_unit_amount(
            meterline.graduated_tier_units(billable_quantity, lower_bound, up_to),
            'coalesce(' ~ unit_amount ~ ', 0)'
        ) }} as {{ meterline.addend_amount_type() }})
        + cast({{ meterline.graduated_tier_flat(
            billable_quantity, lower_bound, flat_amount, is_first_tier
        ) }} as {{ meterline.addend_amount_type() }})
        as {{ meterline.amount_type() }}
    )
{%- endmacro %}

{#- The registry's entry points (pricing_models(), rates: tiers) -#}
{% macro default__pricing_tier_units_graduated(row, tier) -%}
    {{ meterline.graduated_tier_units(meterline.column_ref(row, 'billable_quantity'), meterline.column_ref(tier, 'lower_bound'), meterline.column_ref(tier, 'up_to')) }}
{%- endmacro %}

{% macro default__pricing_tier_flat_graduated(row, tier) -%}
    {{ meterline.graduated_tier_flat(meterline.column_ref(row, 'billable_quantity'), meterline.column_ref(tier, 'lower_bound'), meterline.column_ref(tier, 'flat_amount'), meterline.column_ref(tier, 'is_first_tier')) }}
{%- endmacro %}

{% macro default__pricing_tier_amount_graduated(row, tier) -%}
    {{ meterline.graduated_tier_amount(
        meterline.column_ref(row, 'billable_quantity'), meterline.column_ref(tier, 'lower_bound'), meterline.column_ref(tier, 'up_to'),
        meterline.column_ref(tier, 'unit_amount'), meterline.column_ref(tier, 'flat_amount'), meterline.column_ref(tier, 'is_first_tier')) }}
{%- endmacro %}

{# "1,200 at graduated tiers" (int_rated_usage_tiers shows each tier) #}
{% macro default__pricing_description_graduated(row) -%}
    concat({{ meterline.format_number(meterline.column_ref(row, 'billable_quantity')) }}, ' at graduated tiers')
{%- endmacro %}

{#
    volume (data contract section 3): all of b at the unit_amount of the first tier with
    b <= up_to, plus that tier's flat amount. Registered in pricing_models(). Example
    (section 6): tiers (100: 2/u + 10 flat), (200: 1/u), (inf: 0.5/u + 50): 101 units = 101.
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

{# volume: b falls in the first tier with b <= up_to, i.e. lower_bound < b <= up_to (b = 0: the first tier). #}
{% macro volume_tier_applies(billable_quantity, lower_bound, up_to, is_first_tier) -%}
    {{ return(adapter.dispatch('volume_tier_applies', 'meterline')(billable_quantity, lower_bound, up_to, is_first_tier)) }}
{%- endmacro %}

{% macro default__volume_tier_applies(billable_quantity, lower_bound, up_to, is_first_tier) -%}
    (
        ({{ up_to }} is null or {{ billable_quantity }} <= {{ up_to }})
        and ({{ is_first_tier }} or {{ billable_quantity }} > {{ lower_bound }})
    )
{%- endmacro %}

{# One volume tier's amount: all of b at the tier's unit_amount plus its flat amount, if b falls in it. #}
{% macro volume_tier_amount(billable_quantity, lower_bound, up_to, unit_amount, flat_amount, is_first_tier) -%}
    {{ return(adapter.dispatch('volume_tier_amount', 'meterline')(
        billable_quantity, lower_bound, up_to, unit_amount, flat_amount, is_first_tier)) }}
{%- endmacro %}

{% macro default__volume_tier_amount(billable_quantity, lower_bound, up_to, unit_amount, flat_amount, is_first_tier) -%}
    cast(
        case
            when {{ meterline.volume_tier_applies(billable_quantity, lower_bound, up_to, is_first_tier) }}
                then cast({{ meterline.per_unit_amount(billable_quantity, 'coalesce(' ~ unit_amount ~ ', 0)') }}
                    as {{ meterline.addend_amount_type() }})
                + cast({{ meterline.representable_amount('coalesce(' ~ flat_amount ~ ', 0)') }}
                    as {{ meterline.addend_amount_type() }})
            else 0
        end
        as {{ meterline.amount_type() }}
    )
{%- endmacro %}


{# All of b when b falls in the tier, else 0. #}
{% macro volume_tier_units(billable_quantity, lower_bound, up_to, is_first_tier) -%}
    cast(
        case
            when {{ meterline.volume_tier_applies(billable_quantity, lower_bound, up_to, is_first_tier) }}
                then {{ billable_quantity }}
            else 0
        end
        as {{ meterline.quantity_type() }}
    )
{%- endmacro %}

{# The tier's flat amount when b falls in it, else 0. #}
{% macro volume_tier_flat(billable_quantity, lower_bound, up_to, flat_amount, is_first_tier) -%}
    cast(
        case
            when {{ meterline.volume_tier_applies(billable_quantity, lower_bound, up_to, is_first_tier) }}
                then {{ meterline.representable_amount('coalesce(' ~ flat_amount ~ ', 0)') }}
            else 0
        end
        as {{ meterline.amount_type() }}
    )
{%- endmacro %}

{#- The registry's entry points (pricing_models(), rates: tiers) -#}
{% macro default__pricing_tier_units_volume(row, tier) -%}
    {{ meterline.volume_tier_units(meterline.column_ref(row, 'billable_quantity'), meterline.column_ref(tier, 'lower_bound'), meterline.column_ref(tier, 'up_to'), meterline.column_ref(tier, 'is_first_tier')) }}
{%- endmacro %}

{% macro default__pricing_tier_flat_volume(row, tier) -%}
    {{ meterline.volume_tier_flat(meterline.column_ref(row, 'billable_quantity'), meterline.column_ref(tier, 'lower_bound'), meterline.column_ref(tier, 'up_to'), meterline.column_ref(tier, 'flat_amount'), meterline.column_ref(tier, 'is_first_tier')) }}
{%- endmacro %}

{% macro default__pricing_tier_amount_volume(row, tier) -%}
    {{ meterline.volume_tier_amount(
        meterline.column_ref(row, 'billable_quantity'), meterline.column_ref(tier, 'lower_bound'), meterline.column_ref(tier, 'up_to'),
        meterline.column_ref(tier, 'unit_amount'), meterline.column_ref(tier, 'flat_amount'), meterline.column_ref(tier, 'is_first_tier')) }}
{%- endmacro %}

{# "1,200 at volume tiers" (int_rated_usage_tiers shows each tier) #}
{% macro default__pricing_description_volume(row) -%}
    concat({{ meterline.format_number(meterline.column_ref(row, 'billable_quantity')) }}, ' at volume tiers')
{%- endmacro %}

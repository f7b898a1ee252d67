{#
    Tiered pricing (graduated and volume) over a tiers relation joined per
    price: one row per rated quantity and tier, with the tier's bounds
    `lower_bound` (the previous tier's up_to, 0 for the first tier) and
    `up_to` (null = unbounded). The *_tier_* macros give one tier's share; the
    *_amount macros sum them (aggregates: group by the rated row). Any number
    of tiers and fractional units work; nothing depends on tier count.
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
            when {{ is_first_tier }} or {{ billable_quantity }} > {{ lower_bound }} then coalesce({{ flat_amount }}, 0)
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
        {{ meterline.per_unit_amount(
            meterline.graduated_tier_units(billable_quantity, lower_bound, up_to),
            'coalesce(' ~ unit_amount ~ ', 0)'
        ) }}
        + {{ meterline.graduated_tier_flat(billable_quantity, lower_bound, flat_amount, is_first_tier) }}
        as {{ meterline.amount_type() }}
    )
{%- endmacro %}

{# graduated: the sum of its tiers' amounts (an aggregate over the tier rows of one rated quantity). #}
{% macro graduated_amount(billable_quantity, lower_bound, up_to, unit_amount, flat_amount, is_first_tier) -%}
    {{ return(adapter.dispatch('graduated_amount', 'meterline')(
        billable_quantity, lower_bound, up_to, unit_amount, flat_amount, is_first_tier)) }}
{%- endmacro %}

{% macro default__graduated_amount(billable_quantity, lower_bound, up_to, unit_amount, flat_amount, is_first_tier) -%}
    cast(sum({{ meterline.graduated_tier_amount(
        billable_quantity, lower_bound, up_to, unit_amount, flat_amount, is_first_tier) }}) as {{ meterline.amount_type() }})
{%- endmacro %}

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
                then {{ meterline.per_unit_amount(billable_quantity, 'coalesce(' ~ unit_amount ~ ', 0)') }}
                + cast(coalesce({{ flat_amount }}, 0) as {{ meterline.amount_type() }})
            else 0
        end
        as {{ meterline.amount_type() }}
    )
{%- endmacro %}

{# volume: the one applicable tier's amount (an aggregate over the tier rows of one rated quantity). #}
{% macro volume_amount(billable_quantity, lower_bound, up_to, unit_amount, flat_amount, is_first_tier) -%}
    {{ return(adapter.dispatch('volume_amount', 'meterline')(
        billable_quantity, lower_bound, up_to, unit_amount, flat_amount, is_first_tier)) }}
{%- endmacro %}

{% macro default__volume_amount(billable_quantity, lower_bound, up_to, unit_amount, flat_amount, is_first_tier) -%}
    cast(sum({{ meterline.volume_tier_amount(
        billable_quantity, lower_bound, up_to, unit_amount, flat_amount, is_first_tier) }}) as {{ meterline.amount_type() }})
{%- endmacro %}

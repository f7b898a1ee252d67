{#
    Tiered pricing (graduated and volume) over a tiers relation joined per
    price: one row per rated quantity and tier, with the tier's bounds
    `lower_bound` (the previous tier's up_to, 0 for the first tier) and
    `up_to` (null = unbounded). The *_tier_* macros give one tier's share; the
    *_amount macros sum them (aggregates: group by the rated row). Any number
    of tiers and fractional units work; nothing depends on tier count.

    A tier's amount is its product plus its flat amount, each below
    amount_limit() (else null) and added as addend_amount_type(), so the sum is
    exact on every engine; the *_amount aggregates add the tiers exactly
    (sum_amounts) and are null when any tier is null or the total is not below
    amount_limit().
#}

{#
    Exact sum (an aggregate) of amount expressions: the whole parts and the
    fractional parts are summed apart (each exact at any number of rows), then
    joined. Null when any term is null or the total is not below amount_limit().
#}
{% macro sum_amounts(amount) -%}
    {{ return(adapter.dispatch('sum_amounts', 'meterline')(amount)) }}
{%- endmacro %}

{% macro default__sum_amounts(amount) -%}
    {%- set digits = meterline.decimal_type_digits(meterline.amount_type()) -%}
    {%- set joined -%}
        case
            when ml_sums.nulls = 0 and abs(ml_sums.whole) < {{ meterline.amount_limit() }}
                then {{ meterline.representable_amount(
                    'cast(ml_sums.whole as decimal(' ~ (37 - digits[1]) ~ ', 0)) + ml_sums.fraction') }}
        end
    {%- endset -%}
    {{ meterline.let_values('ml_sums', [
        ['nulls', 'sum(case when ' ~ amount ~ ' is null then 1 else 0 end)'],
        ['whole', 'sum(' ~ meterline.integer_part(amount) ~ ')'],
        ['fraction', 'sum(' ~ meterline.fraction_part(amount) ~ ')'],
    ], joined) }}
{%- endmacro %}

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

{#
    graduated: the sum of its tiers' amounts (an aggregate over the tier rows of one rated
    quantity). int_rated_usage takes the same two steps apart (tier amounts, then sum_amounts),
    which keeps its SQL shallow.
#}
{% macro graduated_amount(billable_quantity, lower_bound, up_to, unit_amount, flat_amount, is_first_tier) -%}
    {{ return(adapter.dispatch('graduated_amount', 'meterline')(
        billable_quantity, lower_bound, up_to, unit_amount, flat_amount, is_first_tier)) }}
{%- endmacro %}

{% macro default__graduated_amount(billable_quantity, lower_bound, up_to, unit_amount, flat_amount, is_first_tier) -%}
    cast({{ meterline.sum_amounts(meterline.graduated_tier_amount(
        billable_quantity, lower_bound, up_to, unit_amount, flat_amount, is_first_tier)) }} as {{ meterline.amount_type() }})
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
                then cast({{ meterline.per_unit_amount(billable_quantity, 'coalesce(' ~ unit_amount ~ ', 0)') }}
                    as {{ meterline.addend_amount_type() }})
                + cast({{ meterline.representable_amount('coalesce(' ~ flat_amount ~ ', 0)') }}
                    as {{ meterline.addend_amount_type() }})
            else 0
        end
        as {{ meterline.amount_type() }}
    )
{%- endmacro %}

{# volume: the one applicable tier's amount (an aggregate over the tier rows; int_rated_usage: as graduated). #}
{% macro volume_amount(billable_quantity, lower_bound, up_to, unit_amount, flat_amount, is_first_tier) -%}
    {{ return(adapter.dispatch('volume_amount', 'meterline')(
        billable_quantity, lower_bound, up_to, unit_amount, flat_amount, is_first_tier)) }}
{%- endmacro %}

{% macro default__volume_amount(billable_quantity, lower_bound, up_to, unit_amount, flat_amount, is_first_tier) -%}
    cast({{ meterline.sum_amounts(meterline.volume_tier_amount(
        billable_quantity, lower_bound, up_to, unit_amount, flat_amount, is_first_tier)) }} as {{ meterline.amount_type() }})
{%- endmacro %}

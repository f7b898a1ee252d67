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


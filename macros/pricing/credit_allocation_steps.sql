{#
    How many sequential steps int_credit_applications unrolls: the longest
    run of credit periods of any account and currency
    (max(period_sequence) of the eligibility relation), read when the model
    runs. While parsing, before that relation exists (`dbt compile` on an
    empty warehouse) or with no eligible grants, 0. Unit tests override
    it with a constant (overrides: macros: meterline.credit_allocation_steps).
#}
{% macro credit_allocation_steps(eligibility_relation) -%}
    {{ return(adapter.dispatch('credit_allocation_steps', 'meterline')(eligibility_relation)) }}
{%- endmacro %}

{% macro default__credit_allocation_steps(eligibility_relation) -%}
    {%- if not execute or load_relation(eligibility_relation) is none -%}
        {{ return(0) }}
    {%- endif -%}
    {%- set result = run_query('select max(period_sequence) from ' ~ eligibility_relation) -%}
    {%- set value = result.columns[0].values()[0] -%}
    {{ return((value or 0) | int) }}
{%- endmacro %}

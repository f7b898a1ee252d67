{#
    Deterministic key: md5 of the columns cast to strings, joined by '|', with
    nulls spelled '_null_'. Same inputs give the same key on every run and
    every engine, as long as the inputs are strings, integers or dates.
#}
{% macro surrogate_key(columns) -%}
    {{ return(adapter.dispatch('surrogate_key', 'meterline')(columns)) }}
{%- endmacro %}

{% macro default__surrogate_key(columns) -%}
    md5(concat_ws('|'
    {%- for column in columns %},
        coalesce(cast({{ column }} as {{ dbt.type_string() }}), '_null_')
    {%- endfor %}
    ))
{%- endmacro %}

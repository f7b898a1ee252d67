{#
    Spark SQL string literals treat a backslash as an escape character, so a
    value's backslashes must be doubled as well as its quotes escaped (dbt-spark
    escapes only the quotes: unit test fixtures holding JSON such as
    '{"a":"{\"k\": 1}"}' would reach the model with the backslashes removed).
#}
{% macro spark__escape_single_quotes(expression) -%}
    {{ expression | replace('\\', '\\\\') | replace("'", "\\'") }}
{%- endmacro %}

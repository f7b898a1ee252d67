{#
    Custom schema names are used as given (staging, intermediate, marts, audit,
    seeds), not prefixed with the target schema, so finance always finds the
    marts in `marts` and the audit tables in `audit`.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}

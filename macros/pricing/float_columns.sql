{#
    A query listing the binary floating point columns of a schema
    (table_name, column_name, data_type): money and quantities must never be
    FLOAT/DOUBLE. The default reads information_schema.columns.
#}
{% macro float_columns_query(schema_name) -%}
    {{ return(adapter.dispatch('float_columns_query', 'meterline')(schema_name)) }}
{%- endmacro %}

{% macro default__float_columns_query(schema_name) -%}
    select
        table_name,
        column_name,
        data_type
    from information_schema.columns
    where
        lower(table_schema) = lower('{{ schema_name }}')
        and upper(data_type) in ('FLOAT', 'FLOAT4', 'FLOAT8', 'REAL', 'DOUBLE', 'DOUBLE PRECISION')
{%- endmacro %}

{#
    Spark has no database level above schemas: dbt-spark's target has no
    `database`, and a relation must not set one. The default macro passes
    target.database, so it is defined here as none (what Spark relations use)
    before the shared table definitions run.
#}
{% macro spark__create_billing_tables() -%}
    {%- if target.get('database') is not defined or target.get('database') is none -%}
        {%- do target.update({'database': none}) -%}
    {%- endif -%}
    {{ return(meterline.default__create_billing_tables()) }}
{%- endmacro %}

{#
    Spark cannot change a column's type in place, and its billing tables are only read by
    the models (the orchestration writes DuckDB's): a Spark warehouse built before
    quantities were widened keeps the narrower column.
#}
{% macro spark__widen_billing_column(relation, column_name, column_type) -%}
    {{ return('') }}
{%- endmacro %}

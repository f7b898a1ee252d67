{#
    Spark has no information_schema: the columns of every table in the schema
    are read through the adapter when the test runs and listed as literals.
#}
{% macro spark__float_columns_query(schema_name) -%}
    {%- set found = [] -%}
    {%- if execute -%}
        {%- set tables = run_query('show tables in ' ~ schema_name) -%}
        {%- for table in tables.rows if not table[2] -%}
            {%- set relation = api.Relation.create(schema=schema_name, identifier=table[1]) -%}
            {%- for column in adapter.get_columns_in_relation(relation) -%}
                {%- if column.dtype | lower in ('float', 'double', 'real') -%}
                    {%- do found.append("('" ~ relation.identifier ~ "', '" ~ column.name ~ "', '" ~ column.dtype ~ "')") -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if found | length > 0 -%}
        select table_name, column_name, data_type
        from (values {{ found | join(', ') }}) as float_columns (table_name, column_name, data_type)
    {%- else -%}
        select
            cast(null as string) as table_name,
            cast(null as string) as column_name,
            cast(null as string) as data_type
        where 1 = 0
    {%- endif -%}
{%- endmacro %}

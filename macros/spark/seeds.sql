{#
    Seeds on Spark. dbt-spark's own seed macros pass values as Python bindings,
    which turns empty cells into the string 'None' and decimals into floats, and
    they use the column types of dbt_project.yml as written (Spark rejects a
    bare `varchar`). These overrides write every value as an exact SQL literal
    (null, or a quoted string cast to the column type) and map `varchar` /
    `text` to Spark's `string`. A value its column type cannot hold stops the load
    (spark_seed_value), as on DuckDB.
#}

{% macro spark_seed_column_type(data_type) -%}
    {%- set normalized = (data_type | string | trim | lower) -%}
    {%- if normalized in ('varchar', 'text', 'character varying', 'char varying', 'nvarchar') -%}
        string
    {%- else -%}
        {{ data_type }}
    {%- endif -%}
{%- endmacro %}

{% macro spark_string_literal(value) -%}
    '{{ (value | string).replace('\\', '\\\\').replace("'", "\\'") }}'
{%- endmacro %}

{% macro spark__create_csv_table(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set quote_seed_column = model['config'].get('quote_columns', None) -%}

    {% set sql %}
        create table {{ this.render() }} (
            {%- for col_name in agate_table.column_names -%}
                {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
                {%- set type = meterline.spark_seed_column_type(column_override.get(col_name, inferred_type)) -%}
                {%- set column_name = (col_name | string) -%}
                {{ adapter.quote_seed_column(column_name, quote_seed_column) }} {{ type }} {%- if not loop.last -%}, {%- endif -%}
            {%- endfor -%}
        )
        {{ file_format_clause() }}
        {{ partition_cols(label="partitioned by") }}
        {{ clustered_cols(label="clustered by") }}
        {{ location_clause() }}
        {{ comment_clause() }}
    {% endset %}

    {% call statement('_') -%}
        {{ sql }}
    {%- endcall %}

    {{ return(sql) }}
{% endmacro %}

{#-
    One seed value of a row (`value_expr`, the CSV text) as its column type. With ANSI off
    Spark's cast gives null for text the type cannot hold (a date that does not exist, a
    number too large for its decimal); such a value stops the load instead, naming it, as
    DuckDB's loader does. An empty cell stays null.
-#}
{% macro spark_seed_value(value_expr, data_type, seed_name, column_name) -%}
    {%- if data_type == 'string' -%}
        cast({{ value_expr }} as string)
    {%- else -%}
        case
            when {{ value_expr }} is null then cast(null as {{ data_type }})
            else coalesce(
                cast({{ value_expr }} as {{ data_type }}),
                raise_error(concat(
                    {{ meterline.spark_string_literal('seed ' ~ seed_name ~ ', column ' ~ column_name ~ ': ') }},
                    {{ value_expr }},
                    {{ meterline.spark_string_literal(' is not a ' ~ data_type) }}
                ))
            )
        end
    {%- endif -%}
{%- endmacro %}

{% macro spark__load_csv_rows(model, agate_table) %}
    {% set batch_size = get_batch_size() %}
    {% set column_override = model['config'].get('column_types', {}) %}
    {% set column_types = [] %}
    {% for col_name in agate_table.column_names %}
        {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
        {% do column_types.append(meterline.spark_seed_column_type(column_override.get(col_name, inferred_type))) %}
    {% endfor %}

    {#- The CSV text goes in as string literals (an inline table's values must be constants);
        the select casts each to its column type. -#}
    {% set statements = [] %}
    {% for chunk in agate_table.rows | batch(batch_size) %}
        {% set sql %}
            insert into {{ this.render() }}
            select
                {%- for col_name in agate_table.column_names %}
                {{ meterline.spark_seed_value('seed_values.c' ~ loop.index0, column_types[loop.index0], this.identifier, col_name) }}
                {%- if not loop.last %},{% endif %}
                {%- endfor %}
            from values
            {% for row in chunk -%}
                ({%- for value in row -%}
                    {%- if value is none -%}
                        cast(null as string)
                    {%- else -%}
                        {{ meterline.spark_string_literal(value) }}
                    {%- endif -%}
                    {%- if not loop.last %}, {% endif -%}
                {%- endfor -%})
                {%- if not loop.last %},{% endif %}
            {% endfor %}
            as seed_values (
                {%- for col_name in agate_table.column_names -%}
                    c{{ loop.index0 }}{% if not loop.last %}, {% endif %}
                {%- endfor -%}
            )
        {% endset %}
        {% do adapter.add_query(sql, abridge_sql_log=True) %}
        {% if loop.index0 == 0 %}
            {% do statements.append(sql) %}
        {% endif %}
    {% endfor %}

    {{ return(statements[0] if statements else '') }}
{% endmacro %}

{#
    Model contracts name their column types as on DuckDB (`varchar`); dbt's
    empty-schema query for the contract check casts to those types.
#}
{% macro spark__get_empty_schema_sql(columns) %}
    {%- set spark_columns = {} -%}
    {%- for name in columns -%}
        {%- set column = columns[name] -%}
        {%- set spark_column = {} -%}
        {%- do spark_column.update(column) -%}
        {%- if column.get('data_type') is not none -%}
            {%- do spark_column.update({'data_type': meterline.spark_seed_column_type(column['data_type'])}) -%}
        {%- endif -%}
        {%- do spark_columns.update({name: spark_column}) -%}
    {%- endfor -%}
    {{ return(dbt.default__get_empty_schema_sql(spark_columns)) }}
{% endmacro %}

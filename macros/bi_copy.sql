{#- The BI copy (README "Finance: BI copy and metrics", DECISIONLOG "BI copy"): after a
    `dbt build`, `dbt run` or `dbt retry` without errors (the daily Dagster run included: it
    calls dbt build), the marts and audit tables are written to a new version folder - one
    DuckDB file in storage version v1.0.0 (DuckDB 1.x readers open it) with the tables' and
    columns' descriptions, and one Parquet file per table - then `current` is swapped to it atomically
    (orchestration/bi_copy.py). BI tools read the copy, never the working warehouse.
    Folder: METERLINE_BI_DIR, else `bi/` beside the warehouse file; METERLINE_BI_COPY=false
    turns it off. DuckDB only: other engines publish nothing (and do not fail). -#}

{% macro publish_bi_copy(results) -%}
    {#- a price simulation publishes nothing (macros/simulation.sql) -#}
    {%- if meterline.is_simulation() -%}
        {{ return('') }}
    {%- endif -%}
    {{ return(adapter.dispatch('publish_bi_copy', 'meterline')(results)) }}
{%- endmacro %}

{% macro default__publish_bi_copy(results) -%}
    {%- do log('BI copy: not published on ' ~ target.type ~ ' (DuckDB only)') -%}
    {{ return('') }}
{%- endmacro %}

{% macro spark__publish_bi_copy(results) -%}
    {#- Spark's tables are read in place (Thrift/Databricks SQL): no copy to publish. -#}
    {{ return('') }}
{%- endmacro %}

{#- The project's marts and audit models (graph nodes, by unique_id): what the BI copy
    publishes. -#}
{% macro mart_and_audit_models() -%}
    {%- set nodes = [] -%}
    {%- for node in graph.nodes.values()
        | selectattr('resource_type', 'equalto', 'model')
        | sort(attribute='unique_id') -%}
        {%- if node.package_name == project_name and node.fqn[1] in ['marts', 'audit'] -%}
            {%- do nodes.append(node) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(nodes) }}
{%- endmacro %}

{% macro bi_copy_dir() -%}
    {%- set configured = env_var('METERLINE_BI_DIR', '') -%}
    {%- if configured -%}
        {{ return(configured) }}
    {%- endif -%}
    {%- set parts = target.path.rsplit('/', 1) -%}
    {{ return((parts[0] if parts | length > 1 and parts[0] else '.') ~ '/bi') }}
{%- endmacro %}

{% macro duckdb__publish_bi_copy(results) -%}
    {%- if not execute or flags.WHICH not in ['build', 'run', 'retry'] or target.path == ':memory:' -%}
        {{ return('') }}
    {%- endif -%}
    {%- if env_var('METERLINE_BI_COPY', 'true') | lower in ['false', '0', 'no', 'off'] -%}
        {{ return('') }}
    {%- endif -%}
    {%- for result in results -%}
        {%- if result.status in ['error', 'fail', 'runtime error'] -%}
            {%- do log('BI copy: not published, the run had errors', info=true) -%}
            {{ return('') }}
        {%- endif -%}
    {%- endfor -%}

    {#- the marts and audit tables that exist (a first partial run may not have them all) -#}
    {%- set relations = [] -%}
    {%- for node in meterline.mart_and_audit_models() -%}
        {%- set relation = adapter.get_relation(
            database=node.database, schema=node.schema, identifier=node.alias
        ) -%}
        {%- if relation is not none -%}
            {%- do relations.append(relation) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if relations | length == 0 -%}
        {{ return('') }}
    {%- endif -%}

    {%- set bi_dir = meterline.bi_copy_dir() | replace("'", "''") -%}
    {%- set version = run_started_at.strftime('%Y%m%dT%H%M%S%f') ~ '-' ~ invocation_id[:8] -%}
    {%- set folder = run_query(
        "select meterline_bi_prepare('" ~ bi_dir ~ "', '" ~ version ~ "')"
    ).columns[0].values()[0] | replace("'", "''") -%}
    {%- set catalog = 'meterline_bi_' ~ invocation_id[:8] -%}
    {%- set schemas = relations | map(attribute='schema') | unique | list -%}
    {%- set names = [] -%}

    {%- set statements = [
        "attach '" ~ folder ~ "/meterline.duckdb' as " ~ catalog ~ " (storage_version 'v1.0.0')"
    ] -%}
    {%- for schema in schemas -%}
        {%- do statements.append('create schema ' ~ catalog ~ '.' ~ schema) -%}
    {%- endfor -%}
    {%- for relation in relations -%}
        {%- set copied = catalog ~ '.' ~ relation.schema ~ '.' ~ relation.identifier -%}
        {%- do names.append(relation.schema ~ '.' ~ relation.identifier) -%}
        {%- do statements.append('create table ' ~ copied ~ ' as select * from ' ~ relation) -%}
        {%- do statements.append(
            'copy ' ~ copied ~ " to '" ~ folder ~ '/' ~ relation.identifier
            ~ ".parquet' (format parquet)"
        ) -%}
    {%- endfor -%}

    {#- the descriptions persist_docs wrote (dbt_project.yml), copied onto the copy -#}
    {%- set schema_list = "'" ~ schemas | join("', '") ~ "'" -%}
    {%- set described = run_query(
        "select schema_name, table_name, null as column_name, comment from duckdb_tables()"
        ~ " where database_name = current_database() and schema_name in (" ~ schema_list ~ ")"
        ~ " and comment is not null and comment <> ''"
        ~ " union all"
        ~ " select schema_name, table_name, column_name, comment from duckdb_columns()"
        ~ " where database_name = current_database() and schema_name in (" ~ schema_list ~ ")"
        ~ " and comment is not null and comment <> ''"
    ) -%}
    {%- for row in described.rows -%}
        {%- if (row[0] ~ '.' ~ row[1]) in names -%}
            {%- set table = catalog ~ '.' ~ row[0] ~ '.' ~ adapter.quote(row[1]) -%}
            {%- set text = row[3] | replace("'", "''") -%}
            {%- if row[2] is none -%}
                {%- do statements.append('comment on table ' ~ table ~ " is '" ~ text ~ "'") -%}
            {%- else -%}
                {%- do statements.append(
                    'comment on column ' ~ table ~ '.' ~ adapter.quote(row[2]) ~ " is '" ~ text ~ "'"
                ) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do statements.append('detach ' ~ catalog) -%}

    {%- do run_query(statements | join(';\n')) -%}
    {%- do run_query(
        "select meterline_bi_swap('" ~ bi_dir ~ "', '" ~ version ~ "', '"
        ~ tojson(names) | replace("'", "''") ~ "', 2)"
    ) -%}
    {%- do log('BI copy: ' ~ names | length ~ ' tables published to ' ~ bi_dir ~ '/current', info=true) -%}
    {{ return('') }}
{%- endmacro %}

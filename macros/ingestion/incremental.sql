{#
    Incremental runs of the event path (see README "Daily runs" and the models' YAML).

    Every landed record carries batch_loaded_at: the start of the dbt run that loaded
    its file (one value per run). Each incremental model of the event path takes the
    rows of its input with batch_loaded_at after the latest one it already holds: a
    constant filter, pushed down to the scan of stg_landing__event_records.
#}

{#
    The materialization of the event path's incremental models: 'incremental' on DuckDB and
    Spark. On Spark (plain Parquet tables: no DELETE or MERGE) 'append' is an insert and
    'delete+insert' is done by spark_delete_insert_sql (below). Engines without these
    strategies return 'table' for every model.
#}
{% macro event_path_materialization() -%}
    {{ return(adapter.dispatch('event_path_materialization', 'meterline')()) }}
{%- endmacro %}

{% macro default__event_path_materialization() -%}
    {{ return('table') }}
{%- endmacro %}

{% macro duckdb__event_path_materialization() -%}
    {{ return('incremental') }}
{%- endmacro %}

{% macro spark__event_path_materialization() -%}
    {{ return('incremental') }}
{%- endmacro %}

{#
    'delete+insert' on Spark. dbt-spark knows append, insert_overwrite and merge (merge needs
    Delta, Iceberg or Hudi). These two overrides of dbt-spark's macros of the same name (a root
    project's macros take precedence) add 'delete+insert' for any file format and hand every
    other strategy to dbt-spark unchanged.
#}
{% macro dbt_spark_validate_get_incremental_strategy(raw_strategy, file_format) -%}
    {%- if raw_strategy == 'delete+insert' -%}
        {{ return(raw_strategy) }}
    {%- endif -%}
    {{ return(dbt.dbt_spark_validate_get_incremental_strategy(raw_strategy, file_format)) }}
{%- endmacro %}

{% macro dbt_spark_get_incremental_sql(strategy, source, target, existing, unique_key, incremental_predicates) -%}
    {%- if strategy == 'delete+insert' -%}
        {{ meterline.spark_delete_insert_sql(source, target, unique_key) }}
    {%- else -%}
        {{ dbt.dbt_spark_get_incremental_sql(strategy, source, target, existing, unique_key, incremental_predicates) }}
    {%- endif -%}
{%- endmacro %}

{#
    The rows of `target` whose unique_key is among the new rows (`source`, the model's query as a
    temporary view, which may read `target`) are replaced by the new rows. Spark cannot overwrite
    a table that the same statement reads, so: the new rows are written to <target>__new_rows
    (the query runs once), the whole result (held rows not replaced, then the new rows) to
    <target>__next, the target is dropped and <target>__next renamed to it (the returned
    statement). A run that stops between the drop and the rename leaves no target: the next run
    is then a full build, with the same results. Keys compare with `=`, as delete+insert does.
#}
{% macro spark_delete_insert_sql(source, target, unique_key) -%}
    {%- set keys = [unique_key] if unique_key is string else unique_key -%}
    {%- set columns = adapter.get_columns_in_relation(target) | map(attribute='quoted') | join(', ') -%}
    {%- set new_rows = target.incorporate(path={'identifier': target.identifier ~ '__new_rows'}) -%}
    {%- set next = target.incorporate(path={'identifier': target.identifier ~ '__next'}) -%}
    {%- set file_format = config.get('file_format', default='parquet') -%}
    {%- do run_query('drop table if exists ' ~ new_rows) -%}
    {%- do run_query('drop table if exists ' ~ next) -%}
    {%- do run_query(
        'create table ' ~ new_rows ~ ' using ' ~ file_format
        ~ ' as select ' ~ columns ~ ' from ' ~ source
    ) -%}
    {%- set key_match = [] -%}
    {%- for key in keys -%}
        {%- do key_match.append('new_rows.' ~ key ~ ' = held.' ~ key) -%}
    {%- endfor -%}
    {%- do run_query(
        'create table ' ~ next ~ ' using ' ~ file_format ~ ' as'
        ~ ' select ' ~ columns ~ ' from ' ~ target ~ ' as held'
        ~ ' where not exists (select 1 from ' ~ new_rows ~ ' as new_rows where '
        ~ key_match | join(' and ') ~ ')'
        ~ ' union all select ' ~ columns ~ ' from ' ~ new_rows
    ) -%}
    {%- do run_query('drop table ' ~ new_rows) -%}
    {%- do run_query('drop table ' ~ target) -%}
    alter table {{ next }} rename to {{ target }}
{%- endmacro %}

{# This run's batch: run_started_at (UTC) as a timestamp literal. #}
{% macro batch_loaded_at() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp)
{%- endmacro %}

{#
    The latest batch_loaded_at in `relation`, as text ('YYYY-MM-DD HH:MM:SS.ffffff'), or
    none when the relation is empty. Formatted here, not in SQL, so that every engine reads
    it the same way.
#}
{% macro batch_watermark(relation) -%}
    {%- set result = run_query("select max(batch_loaded_at) from " ~ relation) -%}
    {%- set latest = result.columns[0].values()[0] -%}
    {%- if latest is none -%}
        {{ return(none) }}
    {%- elif latest is string -%}
        {{ return(latest) }}
    {%- else -%}
        {{ return(latest.strftime('%Y-%m-%d %H:%M:%S.%f')) }}
    {%- endif -%}
{%- endmacro %}

{# `column > watermark`, or (1 = 1) without a watermark. #}
{% macro batch_filter(column, watermark) -%}
    {%- if watermark is none -%}
        (1 = 1)
    {%- else -%}
        ({{ column }} > cast('{{ watermark }}' as timestamp))
    {%- endif -%}
{%- endmacro %}

{#
    A filter on `column` (a batch_loaded_at) that keeps the batches the current model has
    not taken in yet: true on a full build, else `column > <latest batch in this>`.
#}
{% macro new_batches_filter(column) -%}
    {%- set watermark = none -%}
    {%- if execute and is_incremental() -%}
        {%- set watermark = meterline.batch_watermark(this) -%}
    {%- endif -%}
    {{ meterline.batch_filter(column, watermark) }}
{%- endmacro %}

{#
    new_batches_filter for an incremental model that holds rows for some records only (e.g.
    int_event_meter_exclusions: only the excluded ones). Its own latest batch says nothing of
    the batches that gave it no row: the batches int_events_classified holds (every landed record,
    classified after this model in the same runs) were read too, so the later of the two
    watermarks is taken. Without it, a table with no row read every landed record on every run.
#}
{% macro sparse_new_batches_filter(column) -%}
    {%- set watermark = none -%}
    {%- if execute and is_incremental() -%}
        {%- set own = meterline.batch_watermark(this) -%}
        {%- set classified = meterline.model_relation('int_events_classified') -%}
        {%- set every_record = meterline.batch_watermark(classified) if classified is not none else none -%}
        {%- set watermark = [own, every_record] | reject('none') | max if (own or every_record) else none -%}
    {%- endif -%}
    {{ meterline.batch_filter(column, watermark) }}
{%- endmacro %}

{#
    The relation a model of this project builds, when it exists, looked up without ref(): for
    a model that reads what a later model of the same run holds (no cycle in the DAG).
#}
{% macro model_relation(model_name) -%}
    {%- set node = graph.nodes.get('model.meterline.' ~ model_name) -%}
    {%- if node is none -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(adapter.get_relation(database=node.database, schema=node.schema, identifier=node.alias)) }}
{%- endmacro %}

{#
    The files already loaded into `relation` (stg_landing__event_records), as a dict
    file_name -> {size, landed_at, checksum, max_line, changed}: the size, landing time
    (text, as the landing plan writes it) and checksum of the file's latest load, its
    greatest line_number, and whether a changed_file row was recorded for it. A table
    loaded before file_checksum existed gives null checksums (such a file is recognised
    by size and landing time only).
#}
{% macro loaded_landing_files(relation) -%}
    {%- set loaded = {} -%}
    {%- if execute -%}
        {%- set columns = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
        {%- set has_read_columns = 'file_checksum' in columns -%}
        {%- set result = run_query(
            "select file_name, max_by(file_size, batch_loaded_at),"
            ~ " " ~ meterline.timestamp_text('max_by(file_landed_at, batch_loaded_at)') ~ ","
            ~ (" max_by(file_checksum, batch_loaded_at)," if has_read_columns else " null,")
            ~ " max(line_number),"
            ~ (" bool_or(coalesce(read_problem = 'changed_file', false))" if has_read_columns else " false")
            ~ " from " ~ relation ~ " group by file_name"
        ) -%}
        {%- for row in result.rows -%}
            {%- do loaded.update({row[0]: {
                'size': row[1] | int if row[1] is not none else none,
                'landed_at': row[2] | string,
                'checksum': row[3],
                'max_line': row[4] | int,
                'changed': true if row[5] else false,
            }}) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(loaded) }}
{%- endmacro %}

{# The dedupe horizon in days (var dedupe_horizon_days, default 35). #}
{% macro dedupe_horizon_days() -%}
    {{ return(var('dedupe_horizon_days', 35) | int) }}
{%- endmacro %}

{#
    The keys (e.g. account_id, usage_date) whose event count in `input` differs from the
    sum of event_count that `held` (the incremental model itself) holds for them: new or
    late events since the key was last computed, or a run that stopped before the model.
    `input` is a relation, never a CTE of the model: DuckDB copies a CTE read twice whole
    before either reader starts. `input_filter` restricts the counted rows.
#}
{% macro changed_count_keys(input, held, key_columns, input_filter='1 = 1') -%}
    select
        {%- for column in key_columns %}
        value_counts.{{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from (
        select
            {{ key_columns | join(', ') }},
            count(*) as event_count
        from {{ input }}
        where {{ input_filter }}
        group by {{ key_columns | join(', ') }}
    ) as value_counts
    left join (
        select
            {{ key_columns | join(', ') }},
            sum(event_count) as event_count
        from {{ held }}
        group by {{ key_columns | join(', ') }}
    ) as held_counts
        on
        {%- for column in key_columns %}
            {{ 'and ' if not loop.first }}value_counts.{{ column }} = held_counts.{{ column }}
        {%- endfor %}
    where held_counts.event_count is null or held_counts.event_count <> value_counts.event_count
{%- endmacro %}

{#
    Run at the start of every invocation (on-run-start). A warehouse whose event path was built
    by an earlier version is rebuilt once with --full-refresh before an incremental run:
    - earlier versions kept validation, dedupe and the accepted events in three incremental
      tables; int_events_classified now holds them and those three are views over it. Built
      without --full-refresh, int_events_classified would re-decide every earlier record with
      the current seeds while the audit tables keep the earlier decisions;
    - int_meter_usage without batch_loaded_at cannot tell which events it has taken in.
    The run stops and says what to do. A full refresh keeps frozen invoices (late usage becomes
    adjustment lines). Returns no SQL.
#}
{% macro check_event_path_layout() -%}
    {%- if execute and not flags.FULL_REFRESH -%}
        {%- set earlier = none -%}
        {%- set validated = meterline.model_relation('int_events_validated') -%}
        {%- if validated is not none and validated.type == 'table' and meterline.model_relation('int_events_classified') is none -%}
            {%- set earlier = validated ~ " is a table" -%}
        {%- endif -%}
        {%- set usage = meterline.model_relation('int_meter_usage') -%}
        {%- if earlier is none and usage is not none
            and 'batch_loaded_at' not in adapter.get_columns_in_relation(usage) | map(attribute='name') | map('lower') | list -%}
            {%- set earlier = usage ~ " has no batch_loaded_at" -%}
        {%- endif -%}
        {%- if earlier is not none -%}
            {%- do exceptions.raise_compiler_error(
                "The event path was built by an earlier version (" ~ earlier ~ "): run"
                ~ " `dbt build --full-refresh` once (Dagster job meterline_reload) to rebuild it."
                ~ " Frozen invoices are kept; late usage becomes adjustment lines."
            ) -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

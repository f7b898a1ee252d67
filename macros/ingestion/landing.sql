{#
    Landing readers: every landed record as one row of
    (file_name, file_landed_at, line_number, raw_record).

    file_name       path relative to the landing directory (stable across machines)
    file_landed_at  the file's modification time, UTC
    line_number     1-based line of an NDJSON/JSONL file (blank lines are counted but
                    dropped), or 1-based row of a Parquet file
    raw_record      the line's text as landed; a Parquet row rendered as a JSON object

    The file list is taken at run time (glob under `execute`), and the query is built
    from it with escaped literals; no files gives an empty, typed result. Empty
    (0-byte) files hold no records and are skipped.
#}

{% macro landing_file_patterns() -%}
    {{ return(['*.ndjson', '*.jsonl', '*.ndjson.gz', '*.jsonl.gz', '*.parquet']) }}
{%- endmacro %}

{# A SQL string literal for a Python string. #}
{% macro sql_string_literal(value) -%}
    '{{ value | string | replace("'", "''") }}'
{%- endmacro %}

{#
    The landed files as a list of dicts {path, file_name, landed_at (UTC text), format}.
    Empty at parse time and when nothing matches.
#}
{% macro list_landing_files(landing_dir) -%}
    {{ return(adapter.dispatch('list_landing_files', 'meterline')(landing_dir)) }}
{%- endmacro %}

{% macro default__list_landing_files(landing_dir) -%}
    {%- set files = [] -%}
    {%- if execute -%}
        {%- set root = landing_dir | string -%}
        {%- set root_prefix = root.rstrip('/') ~ '/' -%}
        {%- set globs = [] -%}
        {%- for pattern in meterline.landing_file_patterns() -%}
            {%- do globs.append('select file from glob(' ~ meterline.sql_string_literal(root_prefix ~ '**/' ~ pattern) ~ ')') -%}
        {%- endfor -%}
        {%- set listed = run_query(globs | join(' union ') ~ ' order by file') -%}
        {%- set paths = listed.columns[0].values() | list -%}
        {%- if paths | length > 0 -%}
            {%- set literals = [] -%}
            {%- for path in paths -%}
                {%- do literals.append(meterline.sql_string_literal(path)) -%}
            {%- endfor -%}
            {%- set meta = run_query(
                "select filename, strftime(timezone('UTC', last_modified), '%Y-%m-%d %H:%M:%S.%f') as landed_at"
                ~ " from read_blob([" ~ literals | join(', ') ~ "]) where size > 0 order by filename"
            ) -%}
            {%- for row in meta.rows -%}
                {%- set path = row[0] | string -%}
                {%- set file_name = path[root_prefix | length:] if path.startswith(root_prefix) else path -%}
                {%- set lowered = path | lower -%}
                {%- set format = 'parquet' if lowered.endswith('.parquet') else 'ndjson' -%}
                {%- do files.append({'path': path, 'file_name': file_name, 'landed_at': row[1] | string, 'format': format}) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endif -%}
    {{ return(files) }}
{%- endmacro %}

{# Typed empty result with the reader's columns. #}
{% macro empty_landing_records() -%}
    select
        cast(null as {{ dbt.type_string() }}) as file_name,
        cast(null as timestamp) as file_landed_at,
        cast(null as bigint) as line_number,
        cast(null as {{ dbt.type_string() }}) as raw_record
    where 1 = 0
{%- endmacro %}

{#
    One file's records. NDJSON is read as raw text: one VARCHAR column, no quote or
    escape character, a delimiter that cannot occur in valid JSON (raw control
    characters are not allowed in JSON text), lines ending in LF, CRLF or a lone CR,
    not run in parallel, numbered with `with ordinality` in file order. A malformed
    or truncated line is a row like any other. Blank lines are counted, then dropped.
    A line may be up to 4 MiB (max_line_size; the reader's buffer is a multiple of it).
#}
{% macro read_landing_file(file) -%}
    {{ return(adapter.dispatch('read_landing_file', 'meterline')(file)) }}
{%- endmacro %}

{% macro default__read_landing_file(file) -%}
    {%- set path = meterline.sql_string_literal(file.path) -%}
    {%- set file_name = meterline.sql_string_literal(file.file_name) -%}
    {%- set landed_at = 'cast(' ~ meterline.sql_string_literal(file.landed_at) ~ ' as timestamp)' -%}
    {%- if file.format == 'parquet' -%}
        select
            {{ file_name }} as file_name,
            {{ landed_at }} as file_landed_at,
            cast(parquet_rows.line_number as bigint) as line_number,
            cast(to_json(parquet_rows.parquet_row) as varchar) as raw_record
        from (
            select
                file_row_number + 1 as line_number,
                struct_pack(*columns(* exclude (file_row_number))) as parquet_row
            from read_parquet({{ path }}, file_row_number = true)
        ) as parquet_rows
    {%- else -%}
        select
            {{ file_name }} as file_name,
            {{ landed_at }} as file_landed_at,
            cast(text_lines.line_number as bigint) as line_number,
            text_lines.raw_record as raw_record
        from read_csv(
            {{ path }},
            columns = {'raw_record': 'VARCHAR'},
            header = false,
            auto_detect = false,
            delim = chr(1) || chr(2) || chr(3) || chr(4),
            quote = '',
            escape = '',
            new_line = '\r\n',
            strict_mode = false,
            null_padding = false,
            parallel = false,
            max_line_size = 4194304
        ) with ordinality as text_lines (raw_record, line_number)
        where text_lines.raw_record is not null and trim(text_lines.raw_record) <> ''
    {%- endif -%}
{%- endmacro %}

{# Every landed record below landing_dir, as one query. #}
{% macro landing_records(landing_dir) -%}
    {{ return(adapter.dispatch('landing_records', 'meterline')(landing_dir)) }}
{%- endmacro %}

{% macro default__landing_records(landing_dir) -%}
    {%- set files = meterline.list_landing_files(landing_dir) -%}
    {%- if files | length == 0 -%}
        {{ meterline.empty_landing_records() }}
    {%- else -%}
        {%- for file in files %}
        {% if not loop.first %}union all{% endif %}
        {{ meterline.read_landing_file(file) }}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}

{#
    The warehouse-table alternative (var events_source = 'table'): one row per row of
    source meterline_raw.raw_events, rendered as a JSON object text. file_name is
    'table:<relation>', line_number the row's position by loaded_at (when the table
    has it) then event_id, file_landed_at its loaded_at (else 1970-01-01).
#}
{% macro landing_table_records(relation) -%}
    {{ return(adapter.dispatch('landing_table_records', 'meterline')(relation)) }}
{%- endmacro %}

{% macro default__landing_table_records(relation) -%}
    {%- set has_loaded_at = false -%}
    {%- if execute -%}
        {%- set column_names = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
        {%- set has_loaded_at = 'loaded_at' in column_names -%}
    {%- endif -%}
    {%- set order_by = 'raw_rows.loaded_at, raw_rows.event_id' if has_loaded_at else 'raw_rows.event_id' -%}
    select
        {{ meterline.sql_string_literal('table:' ~ relation) }} as file_name,
        {% if has_loaded_at -%}
        cast(raw_rows.loaded_at as timestamp)
        {%- else -%}
        cast('1970-01-01 00:00:00' as timestamp)
        {%- endif %} as file_landed_at,
        cast(row_number() over (order by {{ order_by }}) as bigint) as line_number,
        cast(to_json(raw_rows) as varchar) as raw_record
    from {{ relation }} as raw_rows
{%- endmacro %}

{#
    Landing readers: every landed record as one row of
    (file_name, file_landed_at, line_number, raw_record).

    file_name       path relative to the landing directory (stable across machines)
    file_landed_at  the file's modification time, UTC
    line_number     1-based line of an NDJSON/JSONL file (blank lines are counted but
                    dropped), or 1-based row of a Parquet file
    file_size       the file's size in bytes when loaded (with file_landed_at and
                    file_checksum: how a loaded file is recognised on incremental runs)
    raw_record      the line's text as landed; a Parquet row rendered as a JSON object,
                    except for typed Parquet files (below), where it is null
    record_layout   typed Parquet files only: the file's column names, comma-separated,
                    in file order (null for text records)
    landed_*        typed Parquet files only: the six contract fields as landed
                    (landed_event_id, landed_source, landed_event_type,
                    landed_account_id, landed_occurred_at, landed_properties)
    file_checksum   sha256 of the file's bytes loaded so far
    read_problem    null when the row was read as landed; else unreadable_file or
                    changed_file (a row for the file, raw_record null), invalid_utf8 or
                    line_too_long (the line, kept whole); read_detail says more

    A Parquet file whose columns are all strings (UTF8) named among the contract's six
    fields is "typed": its rows are not rendered to JSON text and parsed back;
    landed_record_text() renders the same JSON text, only for the rows that need it
    (quarantined and duplicate records). Any other Parquet file is rendered to JSON.

    The file list is taken at run time (under `execute`) by the project's DuckDB plugin
    (orchestration/landing_files.py): file names are literal, extensions match in any
    case, empty (0-byte) files hold no records and are skipped, and every file is
    scanned before the warehouse's own reader is trusted with it. The query is built
    from the list with escaped literals; no files gives an empty, typed result.
    DECISIONLOG: "One bad file never stops billing", "Landed files that grow or change".
#}

{#
    A SQL string literal for a Python string, escaped by the adapter's escape_single_quotes
    (quotes doubled; on Spark, where a backslash escapes, backslashes too: macros/spark/literals.sql).
#}
{% macro sql_string_literal(value) -%}
    '{{ dbt.escape_single_quotes(value | string) }}'
{%- endmacro %}

{#
    A file path for DuckDB's readers, which expand glob patterns: '*', '?' and '[' are
    wrapped in brackets so that a name like 'b[1].ndjson' or 'events?.ndjson' is read
    literally, as itself and nothing else.
#}
{% macro duckdb_literal_path(path) -%}
    {%- set escaped = namespace(text='') -%}
    {%- for character in path | string -%}
        {%- set escaped.text = escaped.text ~ ('[' ~ character ~ ']' if character in '*?[' else character) -%}
    {%- endfor -%}
    {{ return(escaped.text) }}
{%- endmacro %}

{#
    What this run reads from landing_dir: a list of files, each a dict with path, file_name,
    format ('ndjson', 'ndjson.gz', 'parquet'), size, landed_at (UTC text), checksum, mode,
    start, first_line and problem (orchestration/landing_files.py, plan_reads). Taken at run
    time from the SQL function meterline_landing_plan of the project's dbt-duckdb plugin;
    empty at parse time. `loaded_files`: what loaded_landing_files() returns, or none.
#}
{% macro landing_read_plan(landing_dir, loaded_files=none) -%}
    {{ return(adapter.dispatch('landing_read_plan', 'meterline')(landing_dir, loaded_files)) }}
{%- endmacro %}

{% macro default__landing_read_plan(landing_dir, loaded_files=none) -%}
    {{ exceptions.raise_compiler_error(
        "Meterline reads landing files on DuckDB and Spark only, not on adapter '" ~ adapter.type() ~ "'."
    ) }}
{%- endmacro %}

{% macro duckdb__landing_read_plan(landing_dir, loaded_files=none) -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set known = run_query(
        "select count(*) from duckdb_functions() where function_name = 'meterline_landing_plan'"
    ) -%}
    {%- if known.columns[0].values()[0] | int == 0 -%}
        {{ exceptions.raise_compiler_error(
            "The landing reader needs the project's DuckDB plugin: add `plugins: [{module: "
            ~ "orchestration.duckdb_plugin}]` to the duckdb output of profiles.yml (see "
            ~ "profiles.yml.example)."
        ) }}
    {%- endif -%}
    {%- set planned = run_query(
        "select meterline_landing_plan("
        ~ meterline.sql_string_literal(landing_dir) ~ ", "
        ~ meterline.landing_settle_seconds() ~ ", "
        ~ meterline.sql_string_literal(tojson(loaded_files or {})) ~ ")"
    ) -%}
    {%- set plan = fromjson(planned.columns[0].values()[0]) -%}
    {%- if plan.get('error') -%}
        {{ exceptions.raise_compiler_error("Listing landing files failed: " ~ plan.error) }}
    {%- endif -%}
    {%- if plan.settling | length > 0 -%}
        {%- do log(
            "Landing: " ~ plan.settling | length ~ " file(s) modified within the last "
            ~ meterline.landing_settle_seconds() ~ " s are left for a later run: "
            ~ plan.settling | join(', '), info=true) -%}
    {%- endif -%}
    {%- for file in plan.files if file.problem -%}
        {%- do log("Landing: " ~ file.file_name ~ " is read " ~ file.mode ~ ": " ~ file.problem, info=true) -%}
    {%- endfor -%}
    {{ return(plan.files) }}
{%- endmacro %}

{# The contract's landing fields: the columns a typed Parquet file may have. #}
{% macro landing_fields() -%}
    {{ return(['event_id', 'source', 'event_type', 'account_id', 'occurred_at', 'properties']) }}
{%- endmacro %}

{#
    The column names of a Parquet file (list of {name, is_text}) when the file is typed:
    every column a flat string column, named among landing_fields(), no name twice.
    Else none.
#}
{% macro typed_parquet_columns(columns) -%}
    {%- set names = [] -%}
    {%- set ok = namespace(value=columns | length > 0) -%}
    {%- for column in columns -%}
        {%- if not column.is_text or column.name not in meterline.landing_fields() or column.name in names -%}
            {%- set ok.value = false -%}
        {%- endif -%}
        {%- do names.append(column.name) -%}
    {%- endfor -%}
    {{ return(names if ok.value else none) }}
{%- endmacro %}

{# The typed columns of a reader row: null for text records. #}
{% macro typed_landing_nulls() -%}
        cast(null as {{ dbt.type_string() }}) as record_layout,
        {%- for field in meterline.landing_fields() %}
        cast(null as {{ dbt.type_string() }}) as landed_{{ field }}{{ ',' if not loop.last }}
        {%- endfor %}
{%- endmacro %}

{#
    The last columns of a reader row: the file's checksum (sha256 of the bytes loaded so
    far), and the reading problem of the row (read_problem, one of unreadable_file,
    changed_file, invalid_utf8, line_too_long; read_detail says more). SQL expressions.
#}
{% macro landing_read_columns(checksum='null', problem='null', detail='null') -%}
        cast({{ checksum }} as {{ dbt.type_string() }}) as file_checksum,
        cast({{ problem }} as {{ dbt.type_string() }}) as read_problem,
        cast({{ detail }} as {{ dbt.type_string() }}) as read_detail
{%- endmacro %}

{# Typed empty result with the reader's columns. #}
{% macro empty_landing_records() -%}
    select
        cast(null as {{ dbt.type_string() }}) as file_name,
        cast(null as timestamp) as file_landed_at,
        cast(null as bigint) as file_size,
        cast(null as bigint) as line_number,
        cast(null as {{ dbt.type_string() }}) as raw_record,
        {{ meterline.typed_landing_nulls() }},
        {{ meterline.landing_read_columns() }}
    where 1 = 0
{%- endmacro %}

{#
    The landed text of a record held in a relation alias with the reader's columns:
    raw_record, or for a typed Parquet row the JSON object that rendering the row would
    give (keys in file order, strings JSON-escaped, null values as null).
#}
{% macro landed_record_text(alias) -%}
    {{ return(adapter.dispatch('landed_record_text', 'meterline')(alias)) }}
{%- endmacro %}

{% macro default__landed_record_text(alias) -%}
    {{ exceptions.raise_compiler_error("landed_record_text: unsupported adapter '" ~ adapter.type() ~ "'.") }}
{%- endmacro %}

{% macro duckdb__landed_record_text(alias) -%}
    coalesce(
        {{ alias }}.raw_record,
        '{' || array_to_string(
            list_transform(
                string_split({{ alias }}.record_layout, ','),
                lambda k: cast(to_json(k) as varchar) || ':' || coalesce(cast(to_json(
                    case k
                        {%- for field in meterline.landing_fields() %}
                        when '{{ field }}' then {{ alias }}.landed_{{ field }}
                        {%- endfor %}
                    end
                ) as varchar), 'null')
            ),
            ','
        ) || '}'
    )
{%- endmacro %}

{#
    One file's records, by the plan's mode:
    - fast: the warehouse reader takes the whole file. NDJSON is read as raw text: one
      VARCHAR column, no quote or escape character, a delimiter that the scan has shown
      not to occur in the file, lines ending in LF or CRLF (a file with a lone CR is not
      fast), not run in parallel, numbered with `with ordinality` in file order.
      Blank lines are counted, then dropped. No line is over 4 MiB (the scan checked).
    - lines: orchestration/landing_files.py reads the file, or the lines appended to it
      since it was loaded, line by line (meterline_landing_rows): every line whole, a
      reading problem on the row it concerns, and an unreadable_file row after the
      lines of a file that cannot be read to its end.
    - changed: one changed_file row numbered after the file's rows already loaded.
#}
{% macro read_landing_file(file) -%}
    {{ return(adapter.dispatch('read_landing_file', 'meterline')(file)) }}
{%- endmacro %}

{% macro default__read_landing_file(file) -%}
    {{ exceptions.raise_compiler_error("read_landing_file: unsupported adapter '" ~ adapter.type() ~ "'.") }}
{%- endmacro %}

{#
    The one changed_file row of a file whose loaded bytes changed (any engine): numbered after
    the file's rows already loaded, with its checksum and what changed (file.problem).
#}
{% macro changed_file_record(file, checksum) -%}
        select
            {{ meterline.sql_string_literal(file.file_name) }} as file_name,
            cast({{ meterline.sql_string_literal(file.landed_at) }} as timestamp) as file_landed_at,
            cast({{ file.get('size') or 0 }} as bigint) as file_size,
            cast({{ file.first_line }} as bigint) as line_number,
            cast(null as {{ dbt.type_string() }}) as raw_record,
            {{ meterline.typed_landing_nulls() }},
            {{ meterline.landing_read_columns(checksum, "'changed_file'", meterline.sql_string_literal(file.problem)) }}
{%- endmacro %}

{% macro duckdb__read_landing_file(file) -%}
    {%- set path = meterline.sql_string_literal(file.path) -%}
    {%- set reader_path = meterline.sql_string_literal(meterline.duckdb_literal_path(file.path)) -%}
    {%- set file_name = meterline.sql_string_literal(file.file_name) -%}
    {%- set landed_at = 'cast(' ~ meterline.sql_string_literal(file.landed_at) ~ ' as timestamp)' -%}
    {%- set file_size = 'cast(' ~ (file.get('size') or 0) ~ ' as bigint)' -%}
    {%- set checksum = meterline.sql_string_literal(file.checksum) if file.get('checksum') else 'null' -%}
    {%- if file.mode == 'changed' -%}
        {{ meterline.changed_file_record(file, checksum) }}
    {%- elif file.mode == 'lines' -%}
        select
            {{ file_name }} as file_name,
            {{ landed_at }} as file_landed_at,
            {{ file_size }} as file_size,
            cast(file_rows.file_row.line_number as bigint) as line_number,
            file_rows.file_row.raw_record as raw_record,
            {{ meterline.typed_landing_nulls() }},
            {{ meterline.landing_read_columns(checksum, 'file_rows.file_row.read_problem', 'file_rows.file_row.read_detail') }}
        from (
            select unnest(meterline_landing_rows(
                {{ path }}, {{ meterline.sql_string_literal(file.format) }},
                cast({{ file.start }} as bigint), cast({{ file.first_line }} as bigint)
            )) as file_row
        ) as file_rows
    {%- elif file.format == 'parquet' and file.get('typed_columns') -%}
        select
            {{ file_name }} as file_name,
            {{ landed_at }} as file_landed_at,
            {{ file_size }} as file_size,
            cast(file_row_number + 1 as bigint) as line_number,
            cast(null as varchar) as raw_record,
            {{ meterline.sql_string_literal(file.typed_columns | join(',')) }} as record_layout,
            {%- for field in meterline.landing_fields() %}
            {% if field in file.typed_columns -%}
            cast({{ adapter.quote(field) }} as varchar)
            {%- else -%}
            cast(null as varchar)
            {%- endif %} as landed_{{ field }},
            {%- endfor %}
            {{ meterline.landing_read_columns(checksum) }}
        from read_parquet({{ reader_path }}, file_row_number = true)
    {%- elif file.format == 'parquet' -%}
        select
            {{ file_name }} as file_name,
            {{ landed_at }} as file_landed_at,
            {{ file_size }} as file_size,
            cast(parquet_rows.line_number as bigint) as line_number,
            cast(to_json(parquet_rows.parquet_row) as varchar) as raw_record,
            {{ meterline.typed_landing_nulls() }},
            {{ meterline.landing_read_columns(checksum) }}
        from (
            select
                file_row_number + 1 as line_number,
                struct_pack(*columns(* exclude (file_row_number))) as parquet_row
            from read_parquet({{ reader_path }}, file_row_number = true)
        ) as parquet_rows
    {%- else -%}
        select
            {{ file_name }} as file_name,
            {{ landed_at }} as file_landed_at,
            {{ file_size }} as file_size,
            cast(text_lines.line_number as bigint) as line_number,
            text_lines.raw_record as raw_record,
            {{ meterline.typed_landing_nulls() }},
            {{ meterline.landing_read_columns(checksum) }}
        from read_csv(
            {{ reader_path }},
            columns = {'raw_record': 'VARCHAR'},
            header = false,
            auto_detect = false,
            delim = chr(1) || chr(2) || chr(3) || chr(4),
            quote = '',
            escape = '',
            new_line = '\r\n',
            compression = '{{ 'gzip' if file.format == 'ndjson.gz' else 'none' }}',
            strict_mode = false,
            null_padding = false,
            parallel = false,
            max_line_size = 4194400
        ) with ordinality as text_lines (raw_record, line_number)
        where text_lines.raw_record is not null and trim(text_lines.raw_record) <> ''
    {%- endif -%}
{%- endmacro %}

{#
    Every landed record below landing_dir that this run reads, as one query.
    `loaded_files` (optional, from loaded_landing_files()) describes the files loaded
    before: an unchanged one is skipped, one that only grew gives its appended lines,
    one changed otherwise gives one changed_file row (see landing_read_plan).
#}
{% macro landing_records(landing_dir, loaded_files=none) -%}
    {{ return(adapter.dispatch('landing_records', 'meterline')(landing_dir, loaded_files)) }}
{%- endmacro %}

{% macro default__landing_records(landing_dir, loaded_files=none) -%}
    {{ exceptions.raise_compiler_error("landing_records: unsupported adapter '" ~ adapter.type() ~ "'.") }}
{%- endmacro %}

{% macro duckdb__landing_records(landing_dir, loaded_files=none) -%}
    {%- set files = meterline.landing_read_plan(landing_dir, loaded_files) -%}
    {%- if files | length == 0 -%}
        {{ meterline.empty_landing_records() }}
    {%- else -%}
        {%- set files = meterline.duckdb_with_typed_columns(files) -%}
        {%- for file in files %}
        {% if not loop.first %}union all{% endif %}
        {{ meterline.read_landing_file(file) }}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}

{#
    The plan's files with `typed_columns` set for the Parquet files read fast (see
    typed_parquet_columns): one parquet_schema query over all of them.
#}
{% macro duckdb_with_typed_columns(files) -%}
    {%- set parquet_literals = [] -%}
    {%- for file in files if file.format == 'parquet' and file.mode == 'fast' -%}
        {%- do parquet_literals.append(meterline.sql_string_literal(meterline.duckdb_literal_path(file.path))) -%}
    {%- endfor -%}
    {%- set schemas = {} -%}
    {%- if parquet_literals | length > 0 -%}
        {#- Leaf columns of each Parquet file, in file order (the root 'schema' row skipped). -#}
        {%- set described = run_query(
            "select file_name, name, coalesce(converted_type = 'UTF8', false) and num_children is null"
            ~ " from parquet_schema([" ~ parquet_literals | join(', ') ~ "])"
            ~ " where column_id > 0 order by file_name, column_id"
        ) -%}
        {%- for row in described.rows -%}
            {%- do schemas.setdefault(row[0] | string, []).append({'name': row[1] | string, 'is_text': row[2]}) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- set typed = [] -%}
    {%- for file in files -%}
        {%- set columns = schemas.get(file.path) -%}
        {%- do file.update({'typed_columns': meterline.typed_parquet_columns(columns) if columns else none}) -%}
        {%- do typed.append(file) -%}
    {%- endfor -%}
    {{ return(typed) }}
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
    {{ exceptions.raise_compiler_error("landing_table_records: unsupported adapter '" ~ adapter.type() ~ "'.") }}
{%- endmacro %}

{% macro duckdb__landing_table_records(relation) -%}
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
        cast(null as bigint) as file_size,
        cast(row_number() over (order by {{ order_by }}) as bigint) as line_number,
        cast(to_json(raw_rows) as varchar) as raw_record,
        {{ meterline.typed_landing_nulls() }},
        {{ meterline.landing_read_columns() }}
    from {{ relation }} as raw_rows
{%- endmacro %}

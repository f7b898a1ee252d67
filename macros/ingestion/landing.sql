{#
    Landing readers: every landed record as one row of
    (file_name, file_landed_at, line_number, raw_record).

    file_name       path relative to the landing directory (stable across machines)
    file_landed_at  the file's modification time, UTC
    line_number     1-based line of an NDJSON/JSONL file (blank lines are counted but
                    dropped), or 1-based row of a Parquet file
    file_size       the file's size in bytes (with file_landed_at: how a loaded file is
                    recognised on incremental runs)
    raw_record      the line's text as landed; a Parquet row rendered as a JSON object,
                    except for typed Parquet files (below), where it is null
    record_layout   typed Parquet files only: the file's column names, comma-separated,
                    in file order (null for text records)
    landed_*        typed Parquet files only: the six contract fields as landed
                    (landed_event_id, landed_source, landed_event_type,
                    landed_account_id, landed_occurred_at, landed_properties)

    A Parquet file whose columns are all strings (UTF8) named among the contract's six
    fields is "typed": its rows are not rendered to JSON text and parsed back;
    landed_record_text() renders the same JSON text, only for the rows that need it
    (quarantined and duplicate records). Any other Parquet file is rendered to JSON.

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
                "select filename, strftime(timezone('UTC', last_modified), '%Y-%m-%d %H:%M:%S.%f') as landed_at,"
                ~ " size from read_blob([" ~ literals | join(', ') ~ "]) where size > 0 order by filename"
            ) -%}
            {%- set parquet_literals = [] -%}
            {%- for row in meta.rows -%}
                {%- if (row[0] | string | lower).endswith('.parquet') -%}
                    {%- do parquet_literals.append(meterline.sql_string_literal(row[0] | string)) -%}
                {%- endif -%}
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
            {%- for row in meta.rows -%}
                {%- set path = row[0] | string -%}
                {%- set file_name = path[root_prefix | length:] if path.startswith(root_prefix) else path -%}
                {%- set lowered = path | lower -%}
                {%- set format = 'parquet' if lowered.endswith('.parquet') else 'ndjson' -%}
                {%- set typed_columns = meterline.typed_parquet_columns(schemas.get(path, [])) if format == 'parquet' else none -%}
                {%- do files.append({
                    'path': path, 'file_name': file_name, 'landed_at': row[1] | string,
                    'size': row[2] | int, 'format': format, 'typed_columns': typed_columns,
                }) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endif -%}
    {{ return(files) }}
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

{# Typed empty result with the reader's columns. #}
{% macro empty_landing_records() -%}
    select
        cast(null as {{ dbt.type_string() }}) as file_name,
        cast(null as timestamp) as file_landed_at,
        cast(null as bigint) as file_size,
        cast(null as bigint) as line_number,
        cast(null as {{ dbt.type_string() }}) as raw_record,
        {{ meterline.typed_landing_nulls() }}
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
    {%- set file_size = 'cast(' ~ (file.get('size') or 0) ~ ' as bigint)' -%}
    {%- if file.format == 'parquet' and file.get('typed_columns') -%}
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
            {%- endif %} as landed_{{ field }}{{ ',' if not loop.last }}
            {%- endfor %}
        from read_parquet({{ path }}, file_row_number = true)
    {%- elif file.format == 'parquet' -%}
        select
            {{ file_name }} as file_name,
            {{ landed_at }} as file_landed_at,
            {{ file_size }} as file_size,
            cast(parquet_rows.line_number as bigint) as line_number,
            cast(to_json(parquet_rows.parquet_row) as varchar) as raw_record,
            {{ meterline.typed_landing_nulls() }}
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
            {{ file_size }} as file_size,
            cast(text_lines.line_number as bigint) as line_number,
            text_lines.raw_record as raw_record,
            {{ meterline.typed_landing_nulls() }}
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

{#
    Every landed record below landing_dir, as one query. `loaded_files` (optional) maps
    the file_name of files already loaded to {'size', 'landed_at'}: those files are
    skipped; a file loaded before whose size or modification time has changed stops the
    run with an error (re-load it with --full-refresh).
#}
{% macro landing_records(landing_dir, loaded_files=none) -%}
    {{ return(adapter.dispatch('landing_records', 'meterline')(landing_dir, loaded_files)) }}
{%- endmacro %}

{# The files of `files` not in `loaded_files`; an error for a loaded file that changed. #}
{% macro new_landing_files(files, loaded_files) -%}
    {%- set fresh = [] -%}
    {%- for file in files -%}
        {%- set loaded = (loaded_files or {}).get(file.file_name) -%}
        {%- if loaded is none -%}
            {%- do fresh.append(file) -%}
        {%- elif (loaded.size is not none and file.get('size') is not none and loaded.size | int != file.size | int)
            or loaded.landed_at != file.landed_at -%}
            {{ exceptions.raise_compiler_error(
                "Landing file '" ~ file.file_name ~ "' changed after it was loaded (size "
                ~ loaded.size ~ " -> " ~ file.get('size') ~ ", modified " ~ loaded.landed_at ~ " -> "
                ~ file.landed_at ~ "). Landed files are immutable: land the new records in a new"
                ~ " file, or re-load everything with --full-refresh."
            ) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(fresh) }}
{%- endmacro %}

{% macro default__landing_records(landing_dir, loaded_files=none) -%}
    {%- set files = meterline.new_landing_files(meterline.list_landing_files(landing_dir), loaded_files) -%}
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
        cast(null as bigint) as file_size,
        cast(row_number() over (order by {{ order_by }}) as bigint) as line_number,
        cast(to_json(raw_rows) as varchar) as raw_record,
        {{ meterline.typed_landing_nulls() }}
    from {{ relation }} as raw_rows
{%- endmacro %}

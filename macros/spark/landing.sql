{#
    Spark versions of the landing readers in macros/ingestion/landing.sql.

    Files are listed with Spark's binaryFile source (recursiveFileLookup,
    pathGlobFilter; the file contents are not read), which gives each file's
    path and modification time. NDJSON/JSONL files (optionally gzipped) are read
    in one scan by the text source; a line's number is its position within its
    file: input order within a file is kept by Spark (a split of a plain file is
    read in order and splits are numbered in offset order; a .gz file is one
    split), captured by monotonically_increasing_id before any shuffle. Parquet
    files are read one by one (their columns may differ) and each row is
    rendered with to_json.

    Spark lists only the files it can see: names starting with '.' or '_' are
    skipped by Spark's file listing (Hadoop convention).
#}

{#
    A Hadoop glob for file names ending in one of `suffixes`, in any case
    ('ndjson' -> '[nN][dD][jJ][sS][oO][nN]'), as the DuckDB reader matches them.
#}
{% macro spark_landing_glob(suffixes=['ndjson', 'jsonl', 'ndjson.gz', 'jsonl.gz', 'parquet']) -%}
    {%- set patterns = [] -%}
    {%- for suffix in suffixes -%}
        {%- set pattern = namespace(text='') -%}
        {%- for character in suffix -%}
            {%- set pattern.text = pattern.text ~ (('[' ~ character ~ character | upper ~ ']') if character.isalpha() else character) -%}
        {%- endfor -%}
        {%- do patterns.append(pattern.text) -%}
    {%- endfor -%}
    *.{ {{- patterns | join(',') -}} }
{%- endmacro %}

{# A path inside a backquoted Spark identifier (text.`path`). #}
{% macro spark_quoted_path(path) -%}
    `{{ path | string | replace('`', '``') }}`
{%- endmacro %}

{% macro spark__sql_string_literal(value) -%}
    '{{ (value | string).replace('\\', '\\\\').replace("'", "\\'") }}'
{%- endmacro %}

{% macro spark__list_landing_files(landing_dir) -%}
    {%- set files = [] -%}
    {%- if execute -%}
        {%- set root = (landing_dir | string).rstrip('/') -%}
        {%- set root = root[2:] if root.startswith('./') else root -%}
        {%- do run_query(
            "create or replace temporary view meterline_landing_listing using binaryFile options ("
            ~ "path " ~ meterline.spark__sql_string_literal(root)
            ~ ", recursiveFileLookup 'true'"
            ~ ", pathGlobFilter " ~ meterline.spark__sql_string_literal(meterline.spark_landing_glob())
            ~ ")"
        ) -%}
        {%- set listed = run_query(
            "select path, date_format(modificationTime, 'yyyy-MM-dd HH:mm:ss.SSSSSS') as landed_at, length"
            ~ " from meterline_landing_listing where length > 0 order by path"
        ) -%}
        {#- Paths come back absolute ('file:/abs/dir/x.ndjson'); file_name is relative to landing_dir. -#}
        {%- set marker = (root ~ '/') if root.startswith('/') else ('/' ~ root ~ '/') -%}
        {%- for row in listed.rows -%}
            {%- set path = row[0] | string -%}
            {%- set position = path.find(marker) -%}
            {%- set file_name = path[position + marker | length:] if position >= 0 else path -%}
            {%- set format = 'parquet' if path.lower().endswith('.parquet') else 'ndjson' -%}
            {%- set typed_columns = none -%}
            {%- if format == 'parquet' -%}
                {%- set described = run_query(
                    'describe query select * from parquet.' ~ meterline.spark_quoted_path(path)) -%}
                {%- set columns = [] -%}
                {%- for column in described.rows -%}
                    {%- do columns.append({'name': column[0] | string, 'is_text': (column[1] | string | lower) == 'string'}) -%}
                {%- endfor -%}
                {%- set typed_columns = meterline.typed_parquet_columns(columns) -%}
            {%- endif -%}
            {%- do files.append({
                'path': path, 'file_name': file_name, 'landed_at': row[1] | string,
                'size': row[2] | int, 'format': format, 'typed_columns': typed_columns,
            }) -%}
        {%- endfor -%}
        {%- set files = files | sort(attribute='file_name') -%}
    {%- endif -%}
    {{ return(files) }}
{%- endmacro %}

{% macro spark__landed_record_text(alias) -%}
    coalesce(
        {{ alias }}.raw_record,
        '{' || array_join(
            transform(
                split({{ alias }}.record_layout, ','),
                meterline_key -> {{ meterline.spark_e_quote('meterline_key') }} || ':' || coalesce(
                    {{ meterline.spark_e_quote(
                        'case meterline_key'
                        ~ ' when \'event_id\' then ' ~ alias ~ '.landed_event_id'
                        ~ ' when \'source\' then ' ~ alias ~ '.landed_source'
                        ~ ' when \'event_type\' then ' ~ alias ~ '.landed_event_type'
                        ~ ' when \'account_id\' then ' ~ alias ~ '.landed_account_id'
                        ~ ' when \'occurred_at\' then ' ~ alias ~ '.landed_occurred_at'
                        ~ ' when \'properties\' then ' ~ alias ~ '.landed_properties'
                        ~ ' end') }},
                    'null'
                )
            ),
            ','
        ) || '}'
    )
{%- endmacro %}

{% macro spark__read_landing_file(file) -%}
    {%- set file_name = meterline.spark__sql_string_literal(file.file_name) -%}
    {%- set landed_at = 'cast(' ~ meterline.spark__sql_string_literal(file.landed_at) ~ ' as timestamp)' -%}
    {%- set file_size = 'cast(' ~ (file.get('size') or 0) ~ ' as bigint)' -%}
    {%- if file.format == 'parquet' -%}
        select
            {{ file_name }} as file_name,
            {{ landed_at }} as file_landed_at,
            {{ file_size }} as file_size,
            cast(row_number() over (order by parquet_rows.meterline_row_position) as bigint) as line_number,
            {%- if file.get('typed_columns') %}
            cast(null as string) as raw_record,
            {{ meterline.spark__sql_string_literal(file.typed_columns | join(',')) }} as record_layout,
            {%- for field in meterline.landing_fields() %}
            {% if field in file.typed_columns -%}
            cast(parquet_rows.{{ adapter.quote(field) }} as string)
            {%- else -%}
            cast(null as string)
            {%- endif %} as landed_{{ field }},
            {%- endfor %}
            {{ meterline.landing_read_columns() }}
            {%- else %}
            parquet_rows.meterline_raw_record as raw_record,
            {{ meterline.typed_landing_nulls() }},
            {{ meterline.landing_read_columns() }}
            {%- endif %}
        from (
            select
                *,
                monotonically_increasing_id() as meterline_row_position,
                to_json(struct(*)) as meterline_raw_record
            from parquet.{{ meterline.spark_quoted_path(file.path) }}
        ) as parquet_rows
    {%- else -%}
        select
            text_lines.*,
            {{ meterline.typed_landing_nulls() }},
            {{ meterline.landing_read_columns() }}
        from (
            select
                {{ file_name }} as file_name,
                {{ landed_at }} as file_landed_at,
                {{ file_size }} as file_size,
                cast(row_number() over (order by numbered.row_position) as bigint) as line_number,
                numbered.raw_record
            from (
                select
                    monotonically_increasing_id() as row_position,
                    value as raw_record
                from text.{{ meterline.spark_quoted_path(file.path) }}
            ) as numbered
        ) as text_lines
        where trim(text_lines.raw_record) <> ''
    {%- endif -%}
{%- endmacro %}

{#
    All landed records not loaded yet. Text files are read in one scan of the
    landing directory and numbered per file; Parquet files one by one.
#}
{% macro spark__landing_records(landing_dir, loaded_files=none) -%}
    {#- Spark rebuilds the event path on every run (no incremental): loaded_files is unused. -#}
    {%- set files = meterline.spark__list_landing_files(landing_dir) -%}
    {%- set text_files = files | selectattr('format', 'equalto', 'ndjson') | list -%}
    {%- set parquet_files = files | selectattr('format', 'equalto', 'parquet') | list -%}
    {%- if files | length == 0 -%}
        {{ meterline.empty_landing_records() }}
    {%- else -%}
        {%- set parts = [] -%}
        {%- if text_files | length > 0 -%}
            {%- set root = (landing_dir | string).rstrip('/') -%}
            {%- set root = root[2:] if root.startswith('./') else root -%}
            {%- do run_query(
                "create or replace temporary view meterline_landing_text using text options ("
                ~ "path " ~ meterline.spark__sql_string_literal(root)
                ~ ", recursiveFileLookup 'true'"
                ~ ", pathGlobFilter " ~ meterline.spark__sql_string_literal(meterline.spark_landing_glob(['ndjson', 'jsonl', 'ndjson.gz', 'jsonl.gz']))
                ~ ")"
            ) if execute -%}
            {%- set listing_rows = [] -%}
            {%- for file in text_files -%}
                {%- do listing_rows.append('(' ~ meterline.spark__sql_string_literal(file.path) ~ ', '
                    ~ meterline.spark__sql_string_literal(file.file_name) ~ ', cast('
                    ~ meterline.spark__sql_string_literal(file.landed_at) ~ ' as timestamp), cast('
                    ~ (file.get('size') or 0) ~ ' as bigint))') -%}
            {%- endfor -%}
            {%- set text_sql -%}
                select
                    listing.file_name,
                    listing.file_landed_at,
                    listing.file_size,
                    text_lines.line_number,
                    text_lines.raw_record,
                    {{ meterline.typed_landing_nulls() }},
            {{ meterline.landing_read_columns() }}
                from (
                    select
                        file_uri,
                        cast(row_number() over (partition by file_uri order by row_position) as bigint) as line_number,
                        raw_record
                    from (
                        select
                            input_file_name() as file_uri,
                            monotonically_increasing_id() as row_position,
                            value as raw_record
                        from meterline_landing_text
                    ) as scanned
                ) as text_lines
                inner join (
                    select * from values {{ listing_rows | join(', ') }}
                        as listing_values (path, file_name, file_landed_at, file_size)
                ) as listing
                    on regexp_replace(url_decode(replace(text_lines.file_uri, '+', '%2B')), '^file:/+', '/')
                    = regexp_replace(listing.path, '^file:/+', '/')
                where trim(text_lines.raw_record) <> ''
            {%- endset -%}
            {%- do parts.append(text_sql) -%}
        {%- endif -%}
        {%- for file in parquet_files -%}
            {%- do parts.append(meterline.read_landing_file(file)) -%}
        {%- endfor -%}
        {{ parts | join('\nunion all\n') }}
    {%- endif -%}
{%- endmacro %}

{% macro spark__landing_table_records(relation) -%}
    {%- set has_loaded_at = false -%}
    {%- if execute -%}
        {%- set column_names = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
        {%- set has_loaded_at = 'loaded_at' in column_names -%}
    {%- endif -%}
    {%- set order_by = 'raw_rows.loaded_at, raw_rows.event_id' if has_loaded_at else 'raw_rows.event_id' -%}
    select
        {{ meterline.spark__sql_string_literal('table:' ~ relation) }} as file_name,
        {% if has_loaded_at -%}
        cast(raw_rows.loaded_at as timestamp)
        {%- else -%}
        cast('1970-01-01 00:00:00' as timestamp)
        {%- endif %} as file_landed_at,
        cast(null as bigint) as file_size,
        cast(row_number() over (order by {{ order_by }}) as bigint) as line_number,
        to_json(struct(raw_rows.*)) as raw_record,
        {{ meterline.typed_landing_nulls() }},
            {{ meterline.landing_read_columns() }}
    from {{ relation }} as raw_rows
{%- endmacro %}

{#
    Spark (without Delta Lake) has no delete+insert or merge for these models: the
    event path is rebuilt on every run, with the same results.
#}
{% macro spark__event_path_materialization() -%}
    {{ return('table') }}
{%- endmacro %}

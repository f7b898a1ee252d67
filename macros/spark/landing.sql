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

{% macro spark__list_landing_files(landing_dir) -%}
    {%- set files = [] -%}
    {%- if execute -%}
        {%- set root = (landing_dir | string).rstrip('/') -%}
        {%- set root = root[2:] if root.startswith('./') else root -%}
        {%- do run_query(
            "create or replace temporary view meterline_landing_listing using binaryFile options ("
            ~ "path " ~ meterline.sql_string_literal(root)
            ~ ", recursiveFileLookup 'true'"
            ~ ", pathGlobFilter " ~ meterline.sql_string_literal(meterline.spark_landing_glob())
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
            {%- do files.append({
                'path': path, 'file_name': file_name, 'landed_at': row[1] | string,
                'size': row[2] | int, 'format': format, 'typed_columns': none,
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

{#
    What this run reads (the Spark counterpart of duckdb__landing_read_plan, same entries and
    modes): a file not loaded before is read whole ('fast'); a loaded file with the same size
    and landing time is skipped; one touched but with the same bytes (checksum) is skipped; a
    text file (not gzipped) that only grew (its loaded bytes unchanged, ending at a line break
    or followed by one) gives its lines after the last one loaded ('lines'); any other change
    gives one changed_file row ('changed'). Checksums are sha256 of the file's bytes, as on
    DuckDB. Spark has no settling time: every listed file is read.
#}
{% macro spark__landing_read_plan(landing_dir, loaded_files=none) -%}
    {%- set loaded_files = loaded_files or {} -%}
    {%- set listed = meterline.spark__list_landing_files(landing_dir) -%}
    {%- set candidates = [] -%}
    {%- for file in listed -%}
        {%- set before = loaded_files.get(file.file_name) -%}
        {%- if before is none or before.size != file.size or before.landed_at != file.landed_at -%}
            {%- do file.update({'before': before}) -%}
            {%- do candidates.append(file) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set checks = meterline.spark_file_checksums(candidates, loaded_files | length == 0) -%}
    {%- set files = [] -%}
    {%- for file in candidates -%}
        {%- set check = checks.get(file.path, {}) -%}
        {%- set before = file.before -%}
        {%- do file.update({'checksum': check.get('checksum'), 'first_line': 1, 'problem': none}) -%}
        {%- if before is none -%}
            {%- do file.update({'mode': 'fast'}) -%}
            {%- do files.append(file) -%}
        {%- elif before.checksum is none or before.checksum != file.checksum -%}
            {%- set loaded_size = before.size or 0 -%}
            {%- set first_line = (before.max_line or 0) + 1 -%}
            {%- set grew = file.format == 'ndjson' and not file.path.lower().endswith('.gz')
                and not before.changed and before.checksum is not none and file.size > loaded_size
                and check.get('prefix_checksum') == before.checksum and check.get('at_line_break') -%}
            {%- if grew -%}
                {%- do file.update({'mode': 'lines', 'first_line': first_line,
                    'problem': 'grew from ' ~ loaded_size ~ ' to ' ~ file.size ~ ' bytes: appended lines read'}) -%}
            {%- else -%}
                {%- do file.update({'mode': 'changed', 'first_line': first_line,
                    'problem': 'changed after it was loaded (size ' ~ loaded_size ~ ' -> ' ~ file.size
                        ~ ', modified ' ~ before.landed_at ~ ' -> ' ~ file.landed_at
                        ~ '); its new content is not read'}) -%}
            {%- endif -%}
            {%- do log('Landing: ' ~ file.file_name ~ ' is read ' ~ file.mode ~ ': ' ~ file.problem, info=true) -%}
            {%- do files.append(file) -%}
        {%- endif -%}
    {%- endfor -%}
    {#- a Parquet file's columns are described only when its rows are read: the files loaded
        before and unchanged cost no statement of their own on a daily run -#}
    {%- for file in files if file.format == 'parquet' and file.mode != 'changed' -%}
        {%- set described = run_query(
            'describe query select * from parquet.' ~ meterline.spark_quoted_path(file.path)) -%}
        {%- set columns = [] -%}
        {%- for column in described.rows -%}
            {%- do columns.append({'name': column[0] | string, 'is_text': (column[1] | string | lower) == 'string'}) -%}
        {%- endfor -%}
        {%- do file.update({'typed_columns': meterline.typed_parquet_columns(columns)}) -%}
    {%- endfor -%}
    {{ return(files) }}
{%- endmacro %}

{#
    path -> {checksum, prefix_checksum, at_line_break} of `files` (from spark__list_landing_files,
    each with `before`: its loaded_landing_files entry or none). checksum: sha256 of the file's
    bytes; for a file loaded before, prefix_checksum is that of its first `before.size` bytes and
    at_line_break whether the last of them or the next byte is a line break. `every_file`: no
    file was loaded before (a first build): every listed file, in one scan of the listing; else
    file by file. Files over 2 GiB (beyond Spark's binaryFile reader) get no checksum.
#}
{% macro spark_file_checksums(files, every_file=false) -%}
    {%- set checks = {} -%}
    {%- set readable = files | selectattr('size', 'le', 2147483647) | list -%}
    {%- if execute and readable | length > 0 -%}
        {%- if every_file -%}
            {%- set sql = "select path, sha2(content, 256), cast(null as string), false"
                ~ " from meterline_landing_listing where length > 0 and length <= 2147483647" -%}
        {%- else -%}
            {%- set parts = [] -%}
            {%- for file in readable -%}
                {%- set size = (file.before.size or 0) if file.before else 0 -%}
                {%- if size > 0 -%}
                    {%- set prefix = "sha2(substring(content, 1, " ~ size ~ "), 256)" -%}
                    {%- set at_break = "coalesce(substring(hex(substring(content, " ~ size ~ ", 2)), 1, 2) in ('0A', '0D')"
                        ~ " or substring(hex(substring(content, " ~ size ~ ", 2)), 3, 2) in ('0A', '0D'), false)" -%}
                {%- else -%}
                    {%- set prefix = "cast(null as string)" -%}
                    {%- set at_break = "false" -%}
                {%- endif -%}
                {%- do parts.append(
                    "select " ~ meterline.sql_string_literal(file.path) ~ ", sha2(content, 256), "
                    ~ prefix ~ ", " ~ at_break ~ " from binaryFile." ~ meterline.spark_quoted_path(file.path)
                ) -%}
            {%- endfor -%}
            {%- set sql = parts | join(' union all ') -%}
        {%- endif -%}
        {%- for row in run_query(sql).rows -%}
            {%- do checks.update({row[0] | string: {
                'checksum': row[1], 'prefix_checksum': row[2], 'at_line_break': row[3] in (true, 'true', 1),
            }}) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(checks) }}
{%- endmacro %}

{#
    One file's records, by the plan's mode (see duckdb__read_landing_file): a text file's lines
    from first_line (numbered in file order, blank lines counted, then dropped), a Parquet
    file's rows, or the one changed_file row.
#}
{% macro spark__read_landing_file(file) -%}
    {%- set file_name = meterline.sql_string_literal(file.file_name) -%}
    {%- set landed_at = 'cast(' ~ meterline.sql_string_literal(file.landed_at) ~ ' as timestamp)' -%}
    {%- set file_size = 'cast(' ~ (file.get('size') or 0) ~ ' as bigint)' -%}
    {%- set checksum = meterline.sql_string_literal(file.checksum) if file.get('checksum') else 'null' -%}
    {%- if file.mode == 'changed' -%}
        {{ meterline.changed_file_record(file, checksum) }}
    {%- elif file.format == 'parquet' -%}
        select
            {{ file_name }} as file_name,
            {{ landed_at }} as file_landed_at,
            {{ file_size }} as file_size,
            cast(row_number() over (order by parquet_rows.meterline_row_position) as bigint) as line_number,
            {%- if file.get('typed_columns') %}
            cast(null as string) as raw_record,
            {{ meterline.sql_string_literal(file.typed_columns | join(',')) }} as record_layout,
            {%- for field in meterline.landing_fields() %}
            {% if field in file.typed_columns -%}
            cast(parquet_rows.{{ adapter.quote(field) }} as string)
            {%- else -%}
            cast(null as string)
            {%- endif %} as landed_{{ field }},
            {%- endfor %}
            {{ meterline.landing_read_columns(checksum) }}
            {%- else %}
            parquet_rows.meterline_raw_record as raw_record,
            {{ meterline.typed_landing_nulls() }},
            {{ meterline.landing_read_columns(checksum) }}
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
            {{ meterline.landing_read_columns(checksum) }}
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
        where trim(text_lines.raw_record) <> '' and text_lines.line_number >= {{ file.first_line }}
    {%- endif -%}
{%- endmacro %}

{#
    The landed records this run reads (spark__landing_read_plan). When every text file listed
    is read whole (a first build), they are read in one scan of the landing directory and
    numbered per file; otherwise, and for Parquet files and changed_file rows, file by file.
#}
{% macro spark__landing_records(landing_dir, loaded_files=none) -%}
    {%- set files = meterline.landing_read_plan(landing_dir, loaded_files) -%}
    {%- set text_files = files | selectattr('format', 'equalto', 'ndjson') | selectattr('mode', 'equalto', 'fast') | list -%}
    {%- set scan_text = (loaded_files or {}) | length == 0 -%}
    {%- if files | length == 0 -%}
        {{ meterline.empty_landing_records() }}
    {%- else -%}
        {%- set parts = [] -%}
        {%- if scan_text and text_files | length > 0 -%}
            {%- set root = (landing_dir | string).rstrip('/') -%}
            {%- set root = root[2:] if root.startswith('./') else root -%}
            {%- do run_query(
                "create or replace temporary view meterline_landing_text using text options ("
                ~ "path " ~ meterline.sql_string_literal(root)
                ~ ", recursiveFileLookup 'true'"
                ~ ", pathGlobFilter " ~ meterline.sql_string_literal(meterline.spark_landing_glob(['ndjson', 'jsonl', 'ndjson.gz', 'jsonl.gz']))
                ~ ")"
            ) if execute -%}
            {%- set listing_rows = [] -%}
            {%- for file in text_files -%}
                {%- do listing_rows.append('(' ~ meterline.sql_string_literal(file.path) ~ ', '
                    ~ meterline.sql_string_literal(file.file_name) ~ ', cast('
                    ~ meterline.sql_string_literal(file.landed_at) ~ ' as timestamp), cast('
                    ~ (file.get('size') or 0) ~ ' as bigint), '
                    ~ (meterline.sql_string_literal(file.checksum) if file.get('checksum') else 'cast(null as string)') ~ ')') -%}
            {%- endfor -%}
            {%- set text_sql -%}
                select
                    listing.file_name,
                    listing.file_landed_at,
                    listing.file_size,
                    text_lines.line_number,
                    text_lines.raw_record,
                    {{ meterline.typed_landing_nulls() }},
            {{ meterline.landing_read_columns('listing.file_checksum') }}
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
                        as listing_values (path, file_name, file_landed_at, file_size, file_checksum)
                ) as listing
                    on regexp_replace(url_decode(replace(text_lines.file_uri, '+', '%2B')), '^file:/+', '/')
                    = regexp_replace(listing.path, '^file:/+', '/')
                where trim(text_lines.raw_record) <> ''
            {%- endset -%}
            {%- do parts.append(text_sql) -%}
        {%- endif -%}
        {%- for file in files if not (scan_text and file in text_files) -%}
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
        {{ meterline.sql_string_literal('table:' ~ relation) }} as file_name,
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

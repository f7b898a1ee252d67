{#
    SQL functions the Spark versions of the JSON macros call (Spark 4 SQL UDFs,
    stored in the metastore in the target schema, inlined by Spark when a query
    is planned). Keeping the logic in functions keeps the compiled SQL short:
    the Hive metastore stores a view's text in a column of limited size.

    Created (or replaced) by the on-run-start hook `create_sql_functions`; the
    default implementation (DuckDB) creates nothing.

    They reproduce DuckDB's JSON functions on text, through Spark's VARIANT:
      meterline_json_member(j, k)       value of top-level key k of object text j (variant)
      meterline_json_type(v)            DuckDB's type name: null, string, integer, number,
                                        boolean, object, array
      meterline_json_number_text(n)     a numeric literal printed as DuckDB prints a double
      meterline_json_member_text(j, k)  like json_extract_string(j, '/k')
      meterline_json_member_json(j, k)  like json_extract(j, '/k')::varchar
#}

{% macro create_sql_functions() -%}
    {{ return(adapter.dispatch('create_sql_functions', 'meterline')()) }}
{%- endmacro %}

{% macro default__create_sql_functions() -%}
    {{ return('') }}
{%- endmacro %}

{# The schema-qualified name of one of these functions. #}
{% macro spark_function(name) -%}
    {{ target.schema }}.meterline_{{ name }}
{%- endmacro %}

{#
    Expression builders: each returns SQL text over the given argument expressions.
    Spark does not allow SQL functions inside lambdas (transform), so the functions'
    bodies are built from these, inlined, instead of calling each other.
#}
{% macro spark_let(name, value_expr, body) -%}
    element_at(transform(array({{ value_expr }}), {{ name }} -> {{ body }}), 1)
{%- endmacro %}

{% macro spark_e_pointer_key(pointer) -%}
    replace(replace(substring({{ pointer }}, 2), '~1', '/'), '~0', '~')
{%- endmacro %}

{% macro spark_e_quote(value) -%}
    {{ meterline.spark_let('mq', 'to_json(array(' ~ value ~ '))', 'substring(mq, 2, length(mq) - 2)') }}
{%- endmacro %}

{#- Shortest-digit text of a number in DuckDB's (yyjson's) notation: plain for decimal
    exponents -7 < e < 21 ('.0' after a whole number), else '<d>[.<ddd>]e<exp>'. -#}
{% macro spark_e_number_text(number_text) -%}
    {{ meterline.spark_let('mn', number_text, meterline.spark_let('mp', "named_struct(
        'neg', mn like '-%',
        'int_part', regexp_extract(mn, '^-?([0-9]*)', 1),
        'digits', regexp_extract(mn, '^-?([0-9]*)', 1) || regexp_extract(mn, '^-?[0-9]*[.]([0-9]*)', 1),
        'exp', coalesce(try_cast(regexp_extract(mn, '[eE]([+-]?[0-9]+)$', 1) as int), 0))",
        meterline.spark_let('md', "named_struct(
            'sig', regexp_replace(regexp_replace(mp.digits, '^0+', ''), '0+$', ''),
            'k', length(mp.int_part) - (length(mp.digits) - length(regexp_replace(mp.digits, '^0+', ''))) + mp.exp)",
            "case when mp.neg then '-' else '' end || case
                when length(md.sig) = 0 then '0.0'
                when md.k between -5 and 21 then case
                    when md.k <= 0 then '0.' || repeat('0', -md.k) || md.sig
                    when md.k < length(md.sig) then substring(md.sig, 1, md.k) || '.' || substring(md.sig, md.k + 1)
                    else md.sig || repeat('0', md.k - length(md.sig)) || '.0'
                end
                else substring(md.sig, 1, 1)
                    || case when length(md.sig) > 1 then '.' || substring(md.sig, 2) else '' end
                    || 'e' || cast(md.k - 1 as string)
            end"))) }}
{%- endmacro %}

{% macro spark_e_json_type(value) -%}
    {{ meterline.spark_let('mt', 'schema_of_variant(' ~ value ~ ')', "case
        when mt is null then cast(null as string)
        when mt = 'VOID' then 'null'
        when mt = 'STRING' then 'string'
        when mt = 'BOOLEAN' then 'boolean'
        when mt like 'OBJECT%' then 'object'
        when mt like 'ARRAY%' then 'array'
        when mt in ('TINYINT', 'SMALLINT', 'INT', 'BIGINT') then 'integer'
        when mt like 'DECIMAL(%,0)'
            and try_cast(" ~ value ~ " as decimal(38, 0)) between 9223372036854775808 and 18446744073709551615
            then 'integer'
        else 'number'
    end") }}
{%- endmacro %}

{#- A number as DuckDB prints it: integers beyond 64 bits as written; literals of at most
    15 significant digits by their own digits (exact, and the shortest digits of the
    nearest double); anything longer through a double. -#}
{% macro spark_e_variant_number_text(value) -%}
    case
        when schema_of_variant({{ value }}) like 'DECIMAL(%,0)'
            and abs(try_cast({{ value }} as decimal(38, 0))) > 18446744073709551615
            then cast({{ value }} as string)
        else {{ meterline.spark_e_number_text("case
            when schema_of_variant(" ~ value ~ ") like 'DECIMAL%'
                and length(regexp_replace(regexp_replace(regexp_replace(
                    cast(" ~ value ~ " as string), '[^0-9]', ''), '^0+', ''), '0+$', '')) <= 15
                then cast(" ~ value ~ " as string)
            else cast(try_cast(" ~ value ~ " as double) as string)
        end") }}
    end
{%- endmacro %}

{% macro spark_e_member(json_text, key) -%}
    try_element_at(try_cast(try_parse_json({{ json_text }}) as map<string, variant>), {{ key }})
{%- endmacro %}

{% macro spark_e_member_text(json_text, key) -%}
    {{ meterline.spark_let('mv', meterline.spark_e_member(json_text, key), "case " ~ meterline.spark_e_json_type('mv') ~ "
        when 'null' then cast(null as string)
        when 'number' then " ~ meterline.spark_e_variant_number_text('mv') ~ "
        when 'object' then get_json_object(" ~ json_text ~ ", concat('$[', char(39), " ~ key ~ ", char(39), ']'))
        when 'array' then get_json_object(" ~ json_text ~ ", concat('$[', char(39), " ~ key ~ ", char(39), ']'))
        else cast(mv as string)
    end") }}
{%- endmacro %}

{% macro spark_e_member_json(json_text, key) -%}
    {{ meterline.spark_let('mj', meterline.spark_e_member(json_text, key), "case " ~ meterline.spark_e_json_type('mj') ~ "
        when 'null' then 'null'
        when 'string' then " ~ meterline.spark_e_quote('cast(mj as string)') ~ "
        else " ~ meterline.spark_e_member_text(json_text, key) ~ "
    end") }}
{%- endmacro %}

{% macro spark_function_definitions() -%}
    {%- set f = meterline.spark_function -%}
    {%- set definitions = [] -%}
    {%- do definitions.append(f('json_pointer_key') ~ "(pointer string) returns string return "
        ~ meterline.spark_e_pointer_key('pointer')) -%}
    {%- do definitions.append(f('json_quote') ~ "(value string) returns string return "
        ~ meterline.spark_e_quote('value')) -%}
    {%- do definitions.append(f('json_member') ~ "(json_text string, key string) returns variant return "
        ~ meterline.spark_e_member('json_text', 'key')) -%}
    {%- do definitions.append(f('json_type') ~ "(value variant) returns string return "
        ~ meterline.spark_e_json_type('value')) -%}
    {%- do definitions.append(f('json_member_text') ~ "(json_text string, key string) returns string return "
        ~ meterline.spark_e_member_text('json_text', 'key')) -%}
    {%- do definitions.append(f('json_member_json') ~ "(json_text string, key string) returns string return "
        ~ meterline.spark_e_member_json('json_text', 'key')) -%}
    {#- Spark's parser ignores text after the first value; DuckDB rejects it. -#}
    {%- do definitions.append(f('json_is_object') ~ "(json_text string) returns boolean return
        coalesce(
            try_cast(try_parse_json(json_text) as map<string, variant>) is not null
            and trim(trailing ' \\t\\n\\r' from json_text) like '%}',
            false
        )") -%}
    {%- do definitions.append(f('json_canonical_object') ~ "(json_text string) returns string return
        case when json_text is not null then
            '{' || array_join(transform(
                array_sort(map_keys(try_cast(try_parse_json(json_text) as map<string, variant>))),
                mk -> " ~ meterline.spark_e_quote('mk') ~ " || ':' || " ~ meterline.spark_e_member_json('json_text', 'mk') ~ "
            ), ',') || '}'
        end") -%}
    {%- do definitions.append(f('json_joined_values') ~ "(json_text string, names string) returns string return
        case when names is not null then
            array_join(transform(
                split(names, '[|]', -1),
                mk -> coalesce(" ~ meterline.spark_e_member_text('json_text', 'mk') ~ ", '')
            ), '|')
        end") -%}
    {{ return(definitions) }}
{%- endmacro %}

{% macro spark__create_sql_functions() -%}
    {%- if execute -%}
        {%- do adapter.create_schema(api.Relation.create(schema=target.schema)) -%}
        {%- for definition in meterline.spark_function_definitions() -%}
            {%- do run_query('create or replace function ' ~ definition) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return('') }}
{%- endmacro %}

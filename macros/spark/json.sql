{#
    Spark versions of macros/ingestion/json.sql, giving the same types and texts
    as DuckDB's JSON functions. The work is done by SQL functions created at the
    start of every run (macros/spark/functions.sql).

    A record is parsed with try_parse_json (Spark 4 VARIANT) and read as a
    map<string, variant>, so a property name held in a column is a plain map key
    (the JSON pointer '/name' the callers build is decoded back to the name).
    VARIANT keeps JSON numbers exactly; DuckDB reads every non-integer JSON
    number as a binary64 double and prints it in the shortest form ('1.1',
    '1000.0', '0.000001', '1e-7', '1e21'); the functions print numbers the
    same way.

    Known differences (data that is not valid JSON to one engine only):
    duplicate keys in an object (DuckDB takes the first, Spark rejects the
    record as malformed), NaN/Infinity and trailing commas (DuckDB accepts them).
#}

{% macro spark__json_pointer(name_expr) -%}
    concat('/', replace(replace({{ name_expr }}, '~', '~0'), '/', '~1'))
{%- endmacro %}

{% macro spark__json_is_object(text_expr) -%}
    {{ meterline.spark_function('json_is_object') }}({{ text_expr }})
{%- endmacro %}

{% macro spark__json_type_at(json_expr, pointer_expr) -%}
    {{ meterline.spark_function('json_type') }}({{ meterline.spark_function('json_member') }}(
        {{ json_expr }}, {{ meterline.spark_function('json_pointer_key') }}({{ pointer_expr }})))
{%- endmacro %}

{% macro spark__json_text_at(json_expr, pointer_expr) -%}
    {{ meterline.spark_function('json_member_text') }}(
        {{ json_expr }}, {{ meterline.spark_function('json_pointer_key') }}({{ pointer_expr }}))
{%- endmacro %}

{% macro spark__json_value_at(json_expr, pointer_expr) -%}
    {{ meterline.spark_function('json_member_json') }}(
        {{ json_expr }}, {{ meterline.spark_function('json_pointer_key') }}({{ pointer_expr }}))
{%- endmacro %}

{% macro spark__json_minify(json_expr) -%}
    get_json_object({{ json_expr }}, '$')
{%- endmacro %}

{% macro spark__json_canonical_object(json_expr) -%}
    {{ meterline.spark_function('json_canonical_object') }}({{ json_expr }})
{%- endmacro %}

{% macro spark__json_joined_values(json_expr, names_expr) -%}
    {{ meterline.spark_function('json_joined_values') }}({{ json_expr }}, {{ names_expr }})
{%- endmacro %}

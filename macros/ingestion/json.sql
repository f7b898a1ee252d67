{#
    JSON helpers. Property names are data: they are turned into a JSON pointer at
    run time (RFC 6901: '~' -> '~0', '/' -> '~1'), never spliced into SQL.
    All take and return JSON as text.
#}

{# A JSON pointer for one top-level key held in a column or expression. #}
{% macro json_pointer(name_expr) -%}
    {{ return(adapter.dispatch('json_pointer', 'meterline')(name_expr)) }}
{%- endmacro %}

{% macro default__json_pointer(name_expr) -%}
    ('/' || replace(replace({{ name_expr }}, '~', '~0'), '/', '~1'))
{%- endmacro %}

{# true when the text is a JSON object, false otherwise (invalid JSON, array, scalar, null). #}
{% macro json_is_object(text_expr) -%}
    {{ return(adapter.dispatch('json_is_object', 'meterline')(text_expr)) }}
{%- endmacro %}

{% macro default__json_is_object(text_expr) -%}
    coalesce(case when json_valid({{ text_expr }}) then json_type({{ text_expr }}) = 'OBJECT' end, false)
{%- endmacro %}

{#
    The JSON type of the value at a pointer, normalised: 'null', 'string', 'integer',
    'number', 'boolean', 'object', 'array'; null when the key is absent.
#}
{% macro json_type_at(json_expr, pointer_expr) -%}
    {{ return(adapter.dispatch('json_type_at', 'meterline')(json_expr, pointer_expr)) }}
{%- endmacro %}

{% macro default__json_type_at(json_expr, pointer_expr) -%}
    case json_type({{ json_expr }}, {{ pointer_expr }})
        when 'NULL' then 'null'
        when 'VARCHAR' then 'string'
        when 'BIGINT' then 'integer'
        when 'UBIGINT' then 'integer'
        when 'HUGEINT' then 'integer'
        when 'DOUBLE' then 'number'
        when 'BOOLEAN' then 'boolean'
        when 'OBJECT' then 'object'
        when 'ARRAY' then 'array'
    end
{%- endmacro %}

{#
    The value at a pointer as text: a string's content, a number's or boolean's
    literal, an object's or array's JSON text; null when absent or JSON null.
#}
{% macro json_text_at(json_expr, pointer_expr) -%}
    {{ return(adapter.dispatch('json_text_at', 'meterline')(json_expr, pointer_expr)) }}
{%- endmacro %}

{% macro default__json_text_at(json_expr, pointer_expr) -%}
    json_extract_string({{ json_expr }}, {{ pointer_expr }})
{%- endmacro %}

{# The value at a pointer as JSON text (null when absent). #}
{% macro json_value_at(json_expr, pointer_expr) -%}
    {{ return(adapter.dispatch('json_value_at', 'meterline')(json_expr, pointer_expr)) }}
{%- endmacro %}

{% macro default__json_value_at(json_expr, pointer_expr) -%}
    cast(json_extract({{ json_expr }}, {{ pointer_expr }}) as varchar)
{%- endmacro %}

{# Valid JSON text re-serialised without insignificant whitespace. #}
{% macro json_minify(json_expr) -%}
    {{ return(adapter.dispatch('json_minify', 'meterline')(json_expr)) }}
{%- endmacro %}

{% macro default__json_minify(json_expr) -%}
    cast(json({{ json_expr }}) as varchar)
{%- endmacro %}

{#
    A JSON object's canonical text for comparing payloads: top-level keys sorted,
    no insignificant whitespace (nested objects keep their key order). null stays null.
#}
{% macro json_canonical_object(json_expr) -%}
    {{ return(adapter.dispatch('json_canonical_object', 'meterline')(json_expr)) }}
{%- endmacro %}

{#-
    Fast path (same result): a minified object (as json_minify gives, the only input
    here) with fewer than two keys, or two keys already in order, is its own canonical
    text; only other objects are rebuilt key by key (duplicate keys always are).
-#}
{% macro default__json_canonical_object(json_expr) -%}
    case
        when {{ json_expr }} is null then null
        when len(json_keys({{ json_expr }})) < 2 then {{ json_expr }}
        when
            len(json_keys({{ json_expr }})) = 2
            and json_keys({{ json_expr }})[1] < json_keys({{ json_expr }})[2]
            then {{ json_expr }}
        when {{ json_expr }} is not null then
            '{' || array_to_string(
                list_transform(
                    list_sort(json_keys({{ json_expr }})),
                    lambda k: cast(to_json(k) as varchar) || ':'
                    || cast(json_extract({{ json_expr }}, {{ meterline.json_pointer('k') }}) as varchar)
                ),
                ','
            ) || '}'
    end
{%- endmacro %}

{#
    The values of the '|'-separated property names in `names_expr` (a column: the
    names are data), each as text, joined by '|' in the same order; a missing or
    null property gives an empty string. null when names_expr is null.
#}
{% macro json_joined_values(json_expr, names_expr) -%}
    {{ return(adapter.dispatch('json_joined_values', 'meterline')(json_expr, names_expr)) }}
{%- endmacro %}

{% macro default__json_joined_values(json_expr, names_expr) -%}
    case
        when {{ names_expr }} is not null then
            array_to_string(
                list_transform(
                    string_split({{ names_expr }}, '|'),
                    lambda k: coalesce(json_extract_string({{ json_expr }}, {{ meterline.json_pointer('k') }}), '')
                ),
                '|'
            )
    end
{%- endmacro %}

{# true when the text matches the regular expression (whole-string anchors are the caller's). #}
{% macro regex_matches(text_expr, pattern) -%}
    {{ return(adapter.dispatch('regex_matches', 'meterline')(text_expr, pattern)) }}
{%- endmacro %}

{% macro default__regex_matches(text_expr, pattern) -%}
    coalesce(regexp_matches({{ text_expr }}, '{{ pattern }}'), false)
{%- endmacro %}

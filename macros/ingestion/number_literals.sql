{#
    JSON number literals as written. The JSON readers parse a non-integer JSON number
    into a binary64 double, so the text they give back is the double's, not the
    producer's: 1.00000000000000000001 comes back as 1.0 and 1e-400 as 0.0. To
    judge a number by its own digits, the landed text is rewritten with every number
    literal turned into a JSON string of the same characters (strings, keys and
    structure untouched); the JSON functions then return the literal itself.
#}

{#
    `json_text` (valid JSON text) with every number literal quoted: {"v": 1.50} ->
    {"v": "1.50"}. Tokens are JSON strings (escapes included) and the runs between
    them; only the runs are rewritten, so digits inside strings stay as they are.
#}
{% macro json_quote_number_literals(json_text) -%}
    {{ return(adapter.dispatch('json_quote_number_literals', 'meterline')(json_text)) }}
{%- endmacro %}

{% macro default__json_quote_number_literals(json_text) -%}
    array_to_string(
        list_transform(
            regexp_extract_all({{ json_text }}, '"(?:[^"\\]|\\.)*"|[^"]+'),
            lambda token: case
                when token[1] = '"' then token
                else regexp_replace(token, '-?[0-9][0-9.eE+-]*', '"\0"', 'g')
            end
        ),
        ''
    )
{%- endmacro %}

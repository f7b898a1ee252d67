{#
    Spark version of macros/ingestion/number_literals.sql. Java's regular
    expressions recurse on a repeated alternation, so the string token uses
    possessive quantifiers (no backtracking, no deep recursion on long strings);
    backslashes are doubled for Spark's string literals.
#}

{% macro spark__json_quote_number_literals(json_text) -%}
    array_join(
        transform(
            regexp_extract_all({{ json_text }}, '"(?:[^"\\\\]++|\\\\.)*+"|[^"]+', 0),
            token -> case
                when substr(token, 1, 1) = '"' then token
                else regexp_replace(token, '-?[0-9][0-9.eE+-]*', '"$0"')
            end
        ),
        ''
    )
{%- endmacro %}

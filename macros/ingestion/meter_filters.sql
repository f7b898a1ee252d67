{#
    Meter filters (DECISIONLOG "Meter filters"): whether one property passes one filter.
    Plain SQL on every engine; the filter's operator and value are columns (data), never
    spliced into the SQL text.

      operator_expr      eq, neq, in, not_in, exists or not_exists (anything else fails)
      value_expr         the filter's value: the text compared, or values joined by '|'
      property_type_expr json_type_at of the property (null when absent, 'null' for JSON null)
      property_text_expr the property as compared: a string's content, a number's literal as
                         written, true or false; null when absent, null, an object or an array

    An absent or JSON null property is missing: it fails eq, in and exists and passes neq,
    not_in and not_exists. An object or an array exists but equals no value.
#}
{% macro meter_filter_passes(operator_expr, value_expr, property_type_expr, property_text_expr) -%}
    {%- set is_equal -%}
        coalesce({{ property_text_expr }} = {{ value_expr }}, false)
    {%- endset -%}
    {#- a member of the '|'-joined list: '|text|' inside '|list|' (a text holding '|' is none) -#}
    {%- set is_member -%}
        coalesce(
            instr({{ property_text_expr }}, '|') = 0
            and instr('|' || {{ value_expr }} || '|', '|' || {{ property_text_expr }} || '|') > 0,
            false
        )
    {%- endset -%}
    {%- set is_present -%}
        coalesce({{ property_type_expr }} <> 'null', false)
    {%- endset -%}
    case {{ operator_expr }}
        when 'eq' then {{ is_equal }}
        when 'neq' then not {{ is_equal }}
        when 'in' then {{ is_member }}
        when 'not_in' then not {{ is_member }}
        when 'exists' then {{ is_present }}
        when 'not_exists' then not {{ is_present }}
        else false
    end
{%- endmacro %}

{#
    The property's text as a filter compares it: a string's content, a number's literal as
    written (literal_text_expr, read from the landed text with its number literals quoted;
    needed only when meter_filter_needs_literal), true or false; null when absent, JSON null,
    an object or an array.
#}
{% macro meter_filter_text(property_type_expr, raw_text_expr, literal_text_expr) -%}
    case
        when {{ meterline.meter_filter_needs_literal(property_type_expr, raw_text_expr) }} then {{ literal_text_expr }}
        when {{ property_type_expr }} in ('string', 'integer', 'boolean') then {{ raw_text_expr }}
    end
{%- endmacro %}

{#
    Whether the property's text must be read from its literal as written: a non-integer
    number (the JSON readers give the binary64 double's text: 200.50 -> 200.5) and a zero
    integer (-0 reads as 0). Other integers read as written.
#}
{% macro meter_filter_needs_literal(property_type_expr, raw_text_expr) -%}
    coalesce(
        {{ property_type_expr }} = 'number'
        or ({{ property_type_expr }} = 'integer' and {{ raw_text_expr }} = '0'),
        false
    )
{%- endmacro %}

{#
    The stable invoice_line_id: md5 of the invoice, line type, contract, price, group and
    grant (absent parts are null). Every model that creates a line, or matches a frozen line
    back to what produced it, calls this one macro, so the ids always agree.
#}
{% macro invoice_line_key(invoice_id, line_type, contract_id=none, price_id=none, dimension_value=none, grant_id=none) -%}
    {%- set null_text = 'cast(null as ' ~ dbt.type_string() ~ ')' -%}
    {{ meterline.surrogate_key([
        invoice_id,
        line_type,
        contract_id or null_text,
        price_id or null_text,
        dimension_value or null_text,
        grant_id or null_text,
    ]) }}
{%- endmacro %}

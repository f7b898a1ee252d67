{#
    The stable ids of invoices and invoice lines: the same inputs give the same ids on every run
    and every warehouse (data contract section 4). Every model that makes an invoice or a line,
    or matches a frozen one back to what produced it, calls these macros.
#}

{#
    The stable invoice_id of an account, currency and billing period. A calendar-month period
    (every v1 period) keeps the v1 key md5(account, currency, period_start), so invoices frozen
    before cadences existed keep their ids; any other period adds its end, so a quarter and a
    month starting on the same day are two invoices.
#}
{% macro invoice_key(account_id, currency, period_start, period_end) -%}
    case
        when {{ meterline.is_calendar_month(period_start, period_end) }}
            then {{ meterline.surrogate_key([account_id, currency, period_start]) }}
        else {{ meterline.surrogate_key([account_id, currency, period_start, period_end]) }}
    end
{%- endmacro %}

{# True when [period_start, period_end) is one calendar month (every period of a v1 contract). #}
{% macro is_calendar_month(period_start, period_end) -%}
    (
        {{ meterline.calendar_part('day', period_start) }} = 1
        and {{ period_end }} = {{ meterline.billing_add_months(period_start, 1) }}
    )
{%- endmacro %}

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

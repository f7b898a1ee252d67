{#
    An invoice's status by date (data contract section 3), against var as_of: `open` while
    as_of < period_end, `draft` until grace_days after it, then `final`. A frozen invoice
    (billing.final_invoices) is final forever whatever this says: callers take its frozen status.
#}
{% macro invoice_status(period_end) -%}
    {{ return(adapter.dispatch('invoice_status', 'meterline')(period_end)) }}
{%- endmacro %}

{% macro default__invoice_status(period_end) -%}
    case
        when {{ meterline.as_of_literal() }} < {{ period_end }} then 'open'
        when
            {{ meterline.as_of_literal() }}
            < cast({{ dbt.dateadd('day', meterline.grace_days(), period_end) }} as date)
            then 'draft'
        else 'final'
    end
{%- endmacro %}

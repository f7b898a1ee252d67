{#
    The registry of invoice line types: the one place that lists every kind of line, in the
    order lines appear on an invoice (data contract section 7.3). Each type's properties:
      sequence    its place on the invoice (fct_invoice_lines.line_sequence; the push, the
                  export and the report sort by it)
      subtotal    counts in fct_invoices.subtotal (the charges before discounts and credits)
      recomputed  a fresh computation of a frozen period is compared with the frozen line,
                  and the difference billed as an `adjustment` (decision log, "Late usage
                  becomes adjustment lines"); credits never are
      label       how an adjustment of such a line names it
    Every model that makes lines, the accepted values of fct_invoice_lines.line_type and the
    adjustments read this list; adding a line type is one entry here and the model that makes
    its lines.
#}
{% macro line_types() -%}
    {{ return({
        'usage': {'sequence': 1, 'subtotal': true, 'recomputed': true, 'label': 'Usage'},
        'fixed': {'sequence': 2, 'subtotal': true, 'recomputed': true, 'label': 'Fixed fee'},
        'one_time': {'sequence': 3, 'subtotal': false, 'recomputed': true, 'label': 'One-time fee'},
        'commitment_fee': {
            'sequence': 4, 'subtotal': false, 'recomputed': true, 'label': 'Commitment fee'},
        'adjustment': {'sequence': 5, 'subtotal': false, 'recomputed': false, 'label': 'Adjustment'},
        'discount': {'sequence': 6, 'subtotal': false, 'recomputed': true, 'label': 'Discount'},
        'minimum_true_up': {
            'sequence': 7, 'subtotal': false, 'recomputed': true,
            'label': 'Minimum commitment true-up'},
        'commitment_drawdown': {
            'sequence': 8, 'subtotal': false, 'recomputed': true, 'label': 'Commitment drawdown'},
        'overage_surcharge': {
            'sequence': 9, 'subtotal': false, 'recomputed': true, 'label': 'Overage surcharge'},
        'commitment_true_up': {
            'sequence': 10, 'subtotal': false, 'recomputed': true, 'label': 'Commitment true-up'},
        'credit': {'sequence': 11, 'subtotal': false, 'recomputed': false, 'label': 'Prepaid credit'},
    }) }}
{%- endmacro %}

{# The names of the line types that have `property` true (all of them without one). #}
{% macro line_type_names(property=none) -%}
    {%- set names = [] -%}
    {%- for name, properties in meterline.line_types().items() -%}
        {%- if property is none or properties[property] -%}
            {%- do names.append(name) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(names) }}
{%- endmacro %}

{# A SQL list of those names: ('usage', 'fixed', ...). #}
{% macro line_type_list(property=none) -%}
    ('{{ meterline.line_type_names(property) | join("', '") }}')
{%- endmacro %}

{# A CASE giving each line type's property `property` (a number or a text). #}
{% macro line_type_case(line_type, property) -%}
    case {{ line_type }}
        {%- for name, properties in meterline.line_types().items() %}
            when '{{ name }}' then
            {%- if properties[property] is string %} '{{ properties[property] }}'
            {%- else %} {{ properties[property] }}{% endif %}
        {%- endfor %}
    end
{%- endmacro %}

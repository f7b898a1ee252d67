{#
    Every non-null value of the column is a name of a registry macro of the project
    (pricing_models, line_types, ...): the accepted values come from the one place that lists
    them. With `property`, only the names whose entry has that property true (line_types with
    recomputed: the line types a frozen period's adjustments can correct).
#}
{% test in_registry(model, column_name, registry, property=none) %}

{%- set registry_macro = meterline.get(registry) -%}
{%- if registry_macro is none and execute -%}
    {{ exceptions.raise_compiler_error("in_registry: no registry macro " ~ registry) }}
{%- endif -%}
{%- set names = [] -%}
{%- if registry_macro is not none -%}
    {%- for name, properties in registry_macro().items() -%}
        {%- if property is none or properties[property] -%}
            {%- do names.append(name) -%}
        {%- endif -%}
    {%- endfor -%}
{%- endif -%}

select {{ column_name }}
from {{ model }}
where
    {{ column_name }} is not null
    and {{ column_name }} not in ('{{ names | join("', '") }}')

{% endtest %}

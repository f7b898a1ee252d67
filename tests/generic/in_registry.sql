{#
    Every non-null value of the column is a name of a registry macro of the project
    (pricing_models, ...): the accepted values come from the one place that lists them.
#}
{% test in_registry(model, column_name, registry) %}

{%- set registry_macro = meterline.get(registry) -%}
{%- if registry_macro is none and execute -%}
    {{ exceptions.raise_compiler_error("in_registry: no registry macro " ~ registry) }}
{%- endif -%}
{%- set names = (registry_macro().keys() | list) if registry_macro is not none else [] -%}

select {{ column_name }}
from {{ model }}
where
    {{ column_name }} is not null
    and {{ column_name }} not in ('{{ names | join("', '") }}')

{% endtest %}

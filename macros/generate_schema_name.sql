{#
    Custom schema names are used as given (staging, intermediate, marts, audit,
    seeds), not prefixed with the target schema, so finance always finds the
    marts in `marts` and the audit tables in `audit`. In a price simulation (var
    `simulation`, macros/simulation.sql) every node but the event path goes to
    simulation_<name>.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if meterline.is_simulation() and not meterline.is_event_path_node(node) -%}
        {{ meterline.simulation_schema() }}
    {%- else -%}
        {{ meterline.production_schema_name(custom_schema_name) }}
    {%- endif -%}
{%- endmacro %}

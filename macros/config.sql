{#
    Run-time settings read from dbt vars, with the defaults of the data contract.
#}

{% macro landing_dir() -%}
    {{ return(var('landing_dir', env_var('METERLINE_LANDING_DIR', 'data/landing'))) }}
{%- endmacro %}

{#
    The billing "today": var as_of (YYYY-MM-DD), else env METERLINE_AS_OF, else the current
    date in UTC. The environment variable keeps dbt's partial parsing on a daily run: a
    changed --vars makes dbt parse the whole project again. It is read when a model runs,
    not while dbt parses: an environment variable read while parsing makes dbt parse every
    file that read it again when it changes, i.e. on every daily run. No setting depends on
    the date, so parsing sees a fixed placeholder.
#}
{% macro as_of_date() -%}
    {%- if not execute -%}
        {{ return('1970-01-01') }}
    {%- endif -%}
    {%- set raw = var('as_of', env_var('METERLINE_AS_OF', '')) -%}
    {%- if raw is none or raw == '' -%}
        {%- set raw = modules.datetime.datetime.now(modules.pytz.utc).strftime('%Y-%m-%d') -%}
    {%- endif -%}
    {%- set parsed = modules.datetime.datetime.strptime(raw | string, '%Y-%m-%d') -%}
    {{ return(parsed.strftime('%Y-%m-%d')) }}
{%- endmacro %}

{# as_of as a SQL date literal. #}
{% macro as_of_literal() -%}
    cast('{{ meterline.as_of_date() }}' as date)
{%- endmacro %}

{% macro future_tolerance_hours() -%}
    {{ return(var('future_tolerance_hours', 24) | int) }}
{%- endmacro %}

{% macro grace_days() -%}
    {{ return(var('grace_days', 3) | int) }}
{%- endmacro %}

{#
    Seconds a landing file must be left unmodified before a run reads it (var
    landing_settle_seconds, else env METERLINE_LANDING_SETTLE_SECONDS, else 0): a file
    still being written is left for a later run. The Dagster job passes the landing
    sensor's settle time.
#}
{% macro landing_settle_seconds() -%}
    {{ return(var('landing_settle_seconds', env_var('METERLINE_LANDING_SETTLE_SECONDS', '0')) | float) }}
{%- endmacro %}

{#
    Whether `relation` has a row, asked of the warehouse while the model compiles; true when it
    cannot be asked (dbt parsing, a relation not built yet, a unit test's fixture), so that a
    model only ever skips work that provably finds nothing. For configuration tables (seeds)
    whose emptiness saves a pass over the events.
#}
{% macro has_rows(relation) -%}
    {%- if not execute or relation.identifier is none or relation.schema is none -%}
        {{ return(true) }}
    {%- endif -%}
    {%- set existing = adapter.get_relation(
        database=relation.database, schema=relation.schema, identifier=relation.identifier) -%}
    {%- if existing is none -%}
        {{ return(true) }}
    {%- endif -%}
    {%- set result = run_query('select count(*) from (select 1 from ' ~ existing ~ ' limit 1) as probe') -%}
    {{ return(result.columns[0].values()[0] > 0) }}
{%- endmacro %}

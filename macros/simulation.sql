{#
    Price simulation (README "Price simulation", DECISIONLOG "Price simulation"): a run with
    var `simulation: <name>` rates all history already in the warehouse under a candidate
    price book (the seeds of a project copy) into schema simulation_<name>, and writes nothing
    anywhere else.
    - Every node is built into simulation_<name> except the event path (below), which keeps
      its production schema: the rating models ref the production usage tables, and the event
      path is never run again.
    - on-run-start (start_simulation): every node the run selects must be built into
      simulation_<name>, else the run stops before anything is written; the schema is emptied
      first, so a failed run leaves no diff of an earlier one.
    - The hooks that write outside the run's nodes (the billing tables, the BI copy) do
      nothing in a simulation.
#}

{# The simulation's name (var `simulation`), lower case letters, digits and _; '' when none. #}
{% macro simulation_name() -%}
    {%- set name = var('simulation', '') -%}
    {%- if name is none or name | string | trim == '' -%}
        {{ return('') }}
    {%- endif -%}
    {%- set name = name | string | trim -%}
    {%- if not modules.re.match('^[a-z][a-z0-9_]{0,39}$', name) -%}
        {{ exceptions.raise_compiler_error(
            "simulation: the name '" ~ name ~ "' must be 1 to 40 lower case letters, digits or _,"
            ~ " starting with a letter") }}
    {%- endif -%}
    {{ return(name) }}
{%- endmacro %}

{% macro is_simulation() -%}
    {{ return(meterline.simulation_name() != '') }}
{%- endmacro %}

{% macro simulation_schema() -%}
    {{ return('simulation_' ~ meterline.simulation_name()) }}
{%- endmacro %}

{#
    The event path: the nodes that read landing files and raw events and make the usage that
    rating prices (models/intermediate/ingestion, stg_landing__event_records, the custom SQL
    meters, the audit tables of the events). A simulation reads them where production built
    them and never builds them.
#}
{% macro is_event_path_node(node) -%}
    {%- set fqn = node.fqn if node.fqn is defined and node.fqn else [] -%}
    {{ return(
        (fqn | length > 2 and fqn[1] == 'intermediate' and fqn[2] == 'ingestion')
        or (fqn | length > 1 and fqn[1] == 'audit')
        or node.name == 'stg_landing__event_records'
        or node.name in var('custom_meter_models', [])
    ) }}
{%- endmacro %}

{# The schema of a node in production (generate_schema_name outside a simulation). #}
{% macro production_schema_name(custom_schema_name) -%}
    {%- if custom_schema_name is none -%}
        {{ return(target.schema) }}
    {%- endif -%}
    {{ return(custom_schema_name | trim) }}
{%- endmacro %}

{#
    The production relation of a model, whatever the run: a simulation's diff reads the
    production rating through it.
#}
{% macro production_relation(model_name) -%}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set nodes = graph.nodes.values() | selectattr('resource_type', 'equalto', 'model')
        | selectattr('package_name', 'equalto', project_name)
        | selectattr('name', 'equalto', model_name) | list -%}
    {%- if nodes | length != 1 -%}
        {{ exceptions.raise_compiler_error('production_relation: no model ' ~ model_name) }}
    {%- endif -%}
    {{ return(api.Relation.create(
        database=nodes[0].database,
        schema=meterline.production_schema_name(nodes[0].config.schema),
        identifier=nodes[0].alias)) }}
{%- endmacro %}

{#
    on-run-start of a simulation: stop unless every selected seed, model and snapshot is built
    into simulation_<name>; then drop and create that schema. Outside a simulation: nothing.
#}
{% macro start_simulation() -%}
    {%- if not execute or not meterline.is_simulation() -%}
        {{ return('') }}
    {%- endif -%}
    {%- set schema = meterline.simulation_schema() -%}
    {%- set outside = [] -%}
    {%- for unique_id in selected_resources -%}
        {%- set node = graph.nodes.get(unique_id) -%}
        {%- if node is not none and node.resource_type in ['model', 'seed', 'snapshot']
            and node.schema != schema -%}
            {%- do outside.append(node.name ~ ' (schema ' ~ node.schema ~ ')') -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if outside | length > 0 -%}
        {{ exceptions.raise_compiler_error(
            'simulation ' ~ meterline.simulation_name() ~ ': these nodes would be built outside '
            ~ schema ~ ' (the event path is read from production, never built in a simulation;'
            ~ ' select with --selector simulation): ' ~ outside | join(', ')) }}
    {%- endif -%}
    {%- set relation = api.Relation.create(database=target.database, schema=schema) -%}
    {%- do adapter.drop_schema(relation) -%}
    {%- do adapter.create_schema(relation) -%}
    {%- do adapter.commit() -%}
    {{ return('') }}
{%- endmacro %}

{#
    The contract seeds' columns that the event path reads (which account, contract, plan and
    billing period a usage belongs to; what a meter measures). A simulation reuses the
    production usage, so the candidate must keep them as production has them. A contract's
    plan_id may change: rating takes the plan from the contract, not from the usage.
#}
{% macro event_path_seed_columns() -%}
    {{ return({
        'stg_accounts': ['account_id', 'billing_timezone'],
        'stg_contracts': ['contract_id', 'account_id', 'starts_on', 'ends_on', 'bill_anchor_on',
            'period_months'],
        'stg_meters': ['meter_id', 'event_type', 'aggregation', 'value_property', 'group_by'],
        'stg_meter_filters': ['meter_id', 'property', 'operator', 'filter_value'],
    }) }}
{%- endmacro %}

{#
    Raise a clear error, while the diff compiles, when the candidate changes a column of
    event_path_seed_columns (its rows in either direction, a few named). The simulation's
    staging models are compared with production's.
#}
{% macro assert_event_path_inputs_unchanged() -%}
    {#- the refs first, so that dbt records them as dependencies while parsing -#}
    {%- set candidates = {} -%}
    {%- for model_name in meterline.event_path_seed_columns() -%}
        {%- do candidates.update({model_name: ref(model_name)}) -%}
    {%- endfor -%}
    {%- set candidate_periods = ref('int_contract_periods') -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set problems = [] -%}
    {%- for model_name, columns in meterline.event_path_seed_columns().items() -%}
        {%- set candidate = candidates[model_name] -%}
        {%- set production = meterline.production_relation(model_name) -%}
        {%- set column_list = columns | join(', ') -%}
        {%- set changed = run_query(
            "select 'candidate' as side, " ~ column_list ~ " from ("
            ~ "select " ~ column_list ~ " from " ~ candidate
            ~ " except select " ~ column_list ~ " from " ~ production ~ ") as added"
            ~ " union all select 'production' as side, " ~ column_list ~ " from ("
            ~ "select " ~ column_list ~ " from " ~ production
            ~ " except select " ~ column_list ~ " from " ~ candidate ~ ") as removed"
        ) -%}
        {%- if changed.rows | length > 0 -%}
            {%- set shown = [] -%}
            {%- for row in changed.rows[:4] -%}
                {%- do shown.append(row | join(' ')) -%}
            {%- endfor -%}
            {%- do problems.append(model_name ~ ' (' ~ column_list ~ '): ' ~ changed.rows | length
                ~ ' rows differ, e.g. ' ~ shown | join('; ')) -%}
        {%- endif -%}
    {%- endfor -%}
    {#- with those unchanged, the billing periods differ only when as_of does -#}
    {%- if problems | length == 0 -%}
        {%- set production_periods = meterline.production_relation('int_contract_periods') -%}
        {%- set changed = run_query(
            "select count(*) from ((select contract_id, period_start from " ~ candidate_periods
            ~ " except select contract_id, period_start from " ~ production_periods ~ ")"
            ~ " union all (select contract_id, period_start from " ~ production_periods
            ~ " except select contract_id, period_start from " ~ candidate_periods ~ ")) as changed"
        ).columns[0].values()[0] -%}
        {%- if changed > 0 -%}
            {%- set latest = run_query("select max(period_start) from " ~ production_periods)
                .columns[0].values()[0] -%}
            {{ exceptions.raise_compiler_error(
                'simulation ' ~ meterline.simulation_name() ~ ': as_of ' ~ meterline.as_of_date()
                ~ ' gives other billing periods than the production build (' ~ changed
                ~ ' contract periods differ; its latest period starts ' ~ latest ~ '): run the'
                ~ ' simulation with the as_of of the last production build (AS_OF=YYYY-MM-DD).') }}
        {%- endif -%}
    {%- endif -%}
    {%- if problems | length > 0 -%}
        {{ exceptions.raise_compiler_error(
            'simulation ' ~ meterline.simulation_name() ~ ': the candidate changes what the event'
            ~ ' path reads (accounts, contract dates and cadence, meters), which a simulation'
            ~ ' cannot re-rate without rebuilding the usage; change prices, tiers, plans,'
            ~ ' commitments, credits or contract terms only. ' ~ problems | join(' | ')) }}
    {%- endif -%}
    {{ return('') }}
{%- endmacro %}

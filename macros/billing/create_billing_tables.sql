{#
    The append-only billing tables written by the orchestration (period close and the push
    ledger), created when missing so that models can read them as the source `billing` even on
    a fresh warehouse. Called from the `on-run-start` hook; never alters or empties a table.
    The frozen tables are made from the enforced contracts of the marts they freeze
    (billing_table_columns): final_invoices has every column of fct_invoices and
    final_invoice_lines every column of fct_invoice_lines, with frozen_at after the data
    contract's columns, so a column added to a mart is frozen too without another list to keep
    in step (orchestration/billing/tables.py reads the same contracts). A table created before
    a column was added gets it appended (`alter table ... add column`), so the column order is
    the same on old and new warehouses as long as new mart columns are added last. A decimal
    column created narrower than its type is now (final_invoice_lines.quantity was
    decimal(22, 9) before quantities were widened) is widened in place, never narrowed.
#}
{% macro create_billing_tables() -%}
    {#- a price simulation writes only its own schema (macros/simulation.sql) -#}
    {%- if meterline.is_simulation() -%}
        {{ return('') }}
    {%- endif -%}
    {{ return(adapter.dispatch('create_billing_tables', 'meterline')()) }}
{%- endmacro %}

{% macro default__create_billing_tables() -%}
    {%- set string = dbt.type_string() -%}
    {%- set timestamp = dbt.type_timestamp() -%}
    {%- set tables = {
        'final_invoices': meterline.billing_table_columns('fct_invoices', 'line_count'),
        'final_invoice_lines': meterline.billing_table_columns('fct_invoice_lines', 'description'),
        'push_ledger': [
            ('target', string),
            ('invoice_id', string),
            ('invoice_line_id', string),
            ('external_id', string),
            ('step', string),
            ('pushed_at', timestamp),
        ],
    } -%}
    {%- if execute -%}
        {%- do adapter.create_schema(api.Relation.create(database=target.database, schema='billing')) -%}
        {%- for table_name, columns in tables.items() -%}
            {%- set relation = api.Relation.create(
                database=target.database, schema='billing', identifier=table_name) -%}
            {%- call statement('create_' ~ table_name) -%}
                create table if not exists {{ relation }} (
                {%- for column_name, column_type in columns %}
                    {{ column_name }} {{ column_type }}{{ ',' if not loop.last }}
                {%- endfor %}
                )
            {%- endcall -%}
            {#- Columns added after a warehouse was created: append the missing ones. -#}
            {%- set existing = adapter.get_columns_in_relation(relation) | map(attribute='name')
                | map('lower') | list -%}
            {%- for column_name, column_type in columns -%}
                {%- if column_name not in existing -%}
                    {%- call statement('add_' ~ table_name ~ '_' ~ column_name) -%}
                        alter table {{ relation }} add column {{ column_name }} {{ column_type }}
                    {%- endcall -%}
                {%- endif -%}
            {%- endfor -%}
            {#- Decimal columns created narrower than their type is now: widen them. -#}
            {%- for column in adapter.get_columns_in_relation(relation) -%}
                {%- for column_name, column_type in columns -%}
                    {%- if column.name | lower == column_name
                        and meterline.is_narrower_decimal(column.data_type, column_type) -%}
                        {%- do meterline.widen_billing_column(relation, column_name, column_type) -%}
                    {%- endif -%}
                {%- endfor -%}
            {%- endfor -%}
        {%- endfor -%}
        {#- Hooks and run-operation do not commit statements run while rendering. -#}
        {%- do adapter.commit() -%}
    {%- endif -%}
{%- endmacro %}

{#
    The columns of a frozen table: the enforced contract of `model_name` (name and data_type,
    in the contract's order), with frozen_at after `last_contract_column` (the data contract's
    last column of the mart; the optional columns follow it).
#}
{% macro billing_table_columns(model_name, last_contract_column) -%}
    {%- set columns = [] -%}
    {%- if execute -%}
        {%- set nodes = graph.nodes.values() | selectattr('resource_type', 'equalto', 'model')
            | selectattr('package_name', 'equalto', 'meterline')
            | selectattr('name', 'equalto', model_name) | list -%}
        {%- if nodes | length != 1 -%}
            {{ exceptions.raise_compiler_error('billing_table_columns: no model ' ~ model_name) }}
        {%- endif -%}
        {%- for column in nodes[0].columns.values() -%}
            {%- set data_type = column.data_type | lower -%}
            {%- do columns.append((column.name | lower, dbt.type_string() if data_type == 'varchar' else data_type)) -%}
            {%- if column.name | lower == last_contract_column -%}
                {%- do columns.append(('frozen_at', dbt.type_timestamp())) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(columns) }}
{%- endmacro %}

{# True when `existing` is a decimal type of the same scale as `wanted` but fewer digits. #}
{% macro is_narrower_decimal(existing, wanted) -%}
    {%- set pattern = '^decimal[(]([0-9]+), *([0-9]+)[)]$' -%}
    {%- set have = modules.re.match(pattern, existing | string | lower | trim) -%}
    {%- set want = modules.re.match(pattern, wanted | string | lower | trim) -%}
    {{ return(
        have is not none and want is not none
        and have.group(2) | int == want.group(2) | int
        and have.group(1) | int < want.group(1) | int
    ) }}
{%- endmacro %}

{# Widen a column of a billing table in place (Spark: macros/spark/billing.sql). #}
{% macro widen_billing_column(relation, column_name, column_type) -%}
    {{ return(adapter.dispatch('widen_billing_column', 'meterline')(relation, column_name, column_type)) }}
{%- endmacro %}

{% macro default__widen_billing_column(relation, column_name, column_type) -%}
    {%- call statement('widen_' ~ relation.identifier ~ '_' ~ column_name) -%}
        alter table {{ relation }} alter column {{ column_name }} type {{ column_type }}
    {%- endcall -%}
{%- endmacro %}

{#
    Test helper for tests/python/test_spark_parity.py: writes the exact-arithmetic
    macros' results over given operands to table parity.arithmetic_probe, so the
    same operands can be compared across engines.

    cases: list of [id, a, b, minor_units] with a and b as decimal strings
    (at most 9 fractional digits).

    product_cases (optional): list of [id, quantity, unit_price, package_size] as decimal
    strings (a quantity_type, a unit_price_type, a positive quantity_type), written to
    parity.product_probe with the rating macros' results over wide quantities.

    billing_period_cases (optional): list of [id, anchor, months, day] (dates as
    YYYY-MM-DD), written to parity.billing_period_probe with the billing period macros'
    results (macros/billing/billing_periods.sql).

    json_cases (optional): the cases of create_json_parity_probe, written in the same call (each
    call on Spark starts a JVM).

    copy_views (optional): true copies the views among the marts and audit models to tables
    (create_view_parity_copies), in the same call.
#}
{% macro create_arithmetic_parity_probe(cases, product_cases=none, billing_period_cases=none, json_cases=none, copy_views=false) %}
    {%- if copy_views -%}
        {%- do meterline.create_view_parity_copies() -%}
    {%- endif -%}
    {%- if json_cases is not none -%}
        {%- do meterline.create_json_parity_probe(json_cases) -%}
    {%- endif -%}
    {%- if product_cases is not none -%}
        {%- do meterline.create_product_parity_probe(product_cases) -%}
    {%- endif -%}
    {%- if billing_period_cases is not none -%}
        {%- do meterline.create_billing_period_parity_probe(billing_period_cases) -%}
    {%- endif -%}
    {%- set relation = api.Relation.create(schema='parity', identifier='arithmetic_probe') -%}
    {%- set rows = [] -%}
    {%- for case in cases -%}
        {%- do rows.append(
            "(" ~ case[0] | int
            ~ ", cast('" ~ case[1] ~ "' as decimal(22, 9))"
            ~ ", cast('" ~ case[2] ~ "' as decimal(22, 9))"
            ~ ", " ~ case[3] | int ~ ")"
        ) -%}
    {%- endfor -%}
    {%- set select_sql -%}
        select
            probe_id,
            a,
            b,
            minor_units,
            {{ meterline.scaled_int('a') }} as a_scaled,
            {{ meterline.unscale_int(meterline.scaled_int('a'), 9) }} as a_round_trip,
            {{ meterline.int_divide(meterline.scaled_int('a'), 7) }} as a_scaled_div_7,
            {{ meterline.divide_decimal('a', 'b') }} as a_over_b,
            {{ meterline.divide_decimal('a', 'b', 9) }} as a_over_b_9,
            {{ meterline.divide_decimal('a', 'b', 0) }} as a_over_b_0,
            {{ meterline.ceil_divide_decimal('abs(a)', 'abs(b)') }} as ceil_a_over_b,
            {#- quantity x unit price: decimal(22, 9) x decimal(15, 9) is exact on both engines -#}
            {{ meterline.round_money(
                'a * cast(b as ' ~ meterline.unit_price_type() ~ ')', 'minor_units') }} as rounded_product,
            {{ meterline.round_money('a', 'minor_units') }} as rounded_a,
            {#- invoice description text: DuckDB groups the digits its own way -#}
            {{ meterline.format_number('a') }} as a_text,
            {{ meterline.format_number(meterline.divide_decimal('a', 'b')) }} as a_over_b_text,
            {{ meterline.format_money(meterline.round_money('a', 'minor_units'), 'minor_units') }} as rounded_a_text,
            {{ meterline.surrogate_key(['probe_id', 'a', 'minor_units', 'cast(null as integer)']) }} as probe_key
        from (
            select * from (values {{ rows | join(', ') }}) as probe_values (probe_id, a, b, minor_units)
        ) as probes
        where b <> 0
    {%- endset -%}
    {%- do adapter.create_schema(relation) -%}
    {%- call statement('drop_probe') -%}
        drop table if exists {{ relation }}
    {%- endcall -%}
    {%- call statement('create_probe') -%}
        create table {{ relation }} as {{ select_sql }}
    {%- endcall -%}
    {%- do adapter.commit() if target.type != 'spark' -%}
{% endmacro %}

{#
    Test helper: the JSON and timestamp macros over given texts, into table
    parity.json_probe. cases: list of [id, json_text, key, names, timestamp_text].
#}
{% macro create_json_parity_probe(cases) %}
    {%- set relation = api.Relation.create(schema='parity', identifier='json_probe') -%}
    {%- set rows = [] -%}
    {%- for case in cases -%}
        {%- set literals = [] -%}
        {%- for value in case[1:] -%}
            {%- if value is none -%}
                {%- do literals.append('cast(null as ' ~ dbt.type_string() ~ ')') -%}
            {%- else -%}
                {%- do literals.append(meterline.sql_string_literal(value)) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- do rows.append('(' ~ case[0] | int ~ ', ' ~ literals | join(', ') ~ ')') -%}
    {%- endfor -%}
    {%- set pointer = meterline.json_pointer('property_key') -%}
    {#- the meter filters over each case's property (macros/ingestion/meter_filters.sql) -#}
    {%- set filters = [
        ('eq_1', 'eq', "'1'"),
        ('neq_1', 'neq', "'1'"),
        ('in_list', 'in', "'1|1.10|true|-0|padded|ünï'"),
        ('not_in_list', 'not_in', "'1|1.10|true|-0|padded|ünï'"),
        ('exists', 'exists', 'cast(null as ' ~ dbt.type_string() ~ ')'),
        ('not_exists', 'not_exists', 'cast(null as ' ~ dbt.type_string() ~ ')'),
    ] -%}
    {%- set select_sql -%}
        select
            probed.*,
            {{ meterline.meter_filter_text('value_type', 'value_text', 'value_literal') }} as filter_text
            {%- for name, operator, value in filters %},
            {{ meterline.meter_filter_passes(
                "'" ~ operator ~ "'", value, 'value_type',
                meterline.meter_filter_text('value_type', 'value_text', 'value_literal'),
            ) }} as filter_{{ name }}
            {%- endfor %}
        from (
        select
            probe_id,
            {{ meterline.json_is_object('json_text') }} as is_object,
            case when {{ meterline.json_is_object('json_text') }}
                then {{ meterline.json_type_at('json_text', pointer) }} end as value_type,
            case when {{ meterline.json_is_object('json_text') }}
                then {{ meterline.json_text_at('json_text', pointer) }} end as value_text,
            case when {{ meterline.json_is_object('json_text') }}
                then {{ meterline.json_value_at('json_text', pointer) }} end as value_json,
            case when {{ meterline.json_is_object('json_text') }}
                then {{ meterline.json_canonical_object(meterline.json_minify('json_text')) }} end as canonical,
            case when {{ meterline.json_is_object('json_text') }}
                then {{ meterline.json_joined_values('json_text', 'group_names') }} end as joined_values,
            case when {{ meterline.json_is_object('json_text') }}
                then {{ meterline.json_text_at('quoted_json_text', pointer) }}
            end as value_literal,
            {{ meterline.parse_iso_timestamp_utc('timestamp_text') }} as parsed_at,
            {{ meterline.utc_to_local(meterline.parse_iso_timestamp_utc('timestamp_text'), "'America/New_York'") }}
                as parsed_local_at
        from (
            select
                probe_values.*,
                {{ meterline.json_quote_number_literals('probe_values.json_text') }} as quoted_json_text
            from (values {{ rows | join(', ') }})
                as probe_values (probe_id, json_text, property_key, group_names, timestamp_text)
        ) as probes
        ) as probed
    {%- endset -%}
    {%- do adapter.create_schema(relation) -%}
    {%- call statement('drop_probe') -%}
        drop table if exists {{ relation }}
    {%- endcall -%}
    {%- call statement('create_probe') -%}
        create table {{ relation }} as {{ select_sql }}
    {%- endcall -%}
    {%- do adapter.commit() if target.type != 'spark' -%}
{% endmacro %}

{#
    Test helper: the rating macros over wide quantities (quantity_type up to 10^28), into
    table parity.product_probe. cases: list of [id, quantity, unit_price, package_size].
#}
{% macro create_product_parity_probe(cases) %}
    {%- set relation = api.Relation.create(schema='parity', identifier='product_probe') -%}
    {%- set rows = [] -%}
    {%- for case in cases -%}
        {%- do rows.append(
            "(" ~ case[0] | int
            ~ ", cast('" ~ case[1] ~ "' as " ~ meterline.quantity_type() ~ ")"
            ~ ", cast('" ~ case[2] ~ "' as " ~ meterline.unit_price_type() ~ ")"
            ~ ", cast('" ~ case[3] ~ "' as " ~ meterline.quantity_type() ~ "))"
        ) -%}
    {%- endfor -%}
    {%- set select_sql -%}
        select
            probe_id,
            quantity,
            unit_price,
            package_size,
            {{ meterline.per_unit_amount('quantity', 'unit_price') }} as amount,
            {{ meterline.package_count('quantity', 'package_size') }} as packages,
            {{ meterline.package_amount('quantity', 'package_size', 'unit_price') }} as package_amount,
            {{ meterline.billable_quantity('quantity', 'package_size') }} as billable,
            {#- a mean: at most the largest event value, 10^18 (Spark divides in decimal(38, 6)) -#}
            case
                when quantity <= {{ meterline.event_value_limit() }}
                    then {{ meterline.divide_by_count('quantity', 7) }}
            end as quantity_over_7,
            {{ meterline.unscale_int(meterline.scaled_int('quantity'), 9) }} as quantity_round_trip,
            {{ meterline.format_number('quantity') }} as quantity_text
        from (
            select * from (values {{ rows | join(', ') }})
                as probe_values (probe_id, quantity, unit_price, package_size)
        ) as probes
    {%- endset -%}
    {%- do adapter.create_schema(relation) -%}
    {%- call statement('drop_product_probe') -%}
        drop table if exists {{ relation }}
    {%- endcall -%}
    {%- call statement('create_product_probe') -%}
        create table {{ relation }} as {{ select_sql }}
    {%- endcall -%}
    {%- do adapter.commit() if target.type != 'spark' -%}
{% endmacro %}

{#
    Test helper: the billing period macros over given anchors, cadences and days, into table
    parity.billing_period_probe. cases: list of [id, anchor, months, day].
#}
{% macro create_billing_period_parity_probe(cases) %}
    {%- set relation = api.Relation.create(schema='parity', identifier='billing_period_probe') -%}
    {%- set rows = [] -%}
    {%- for case in cases -%}
        {%- do rows.append(
            "(" ~ case[0] | int
            ~ ", cast('" ~ case[1] ~ "' as date)"
            ~ ", " ~ case[2] | int
            ~ ", cast('" ~ case[3] ~ "' as date))"
        ) -%}
    {%- endfor -%}
    {%- set select_sql -%}
        select
            indexed.*,
            {{ meterline.period_label('indexed.period_start', 'indexed.period_end') }} as period_label
        from (
        select
            probes.*,
            {{ meterline.billing_period_start('probes.anchor', 'probes.months', 'probes.period_index') }}
                as period_start,
            {{ meterline.billing_period_start('probes.anchor', 'probes.months', 'probes.period_index + 1') }}
                as period_end
        from (
            select
                probe_values.*,
                {{ meterline.billing_period_index('probe_values.day', 'probe_values.anchor', 'probe_values.months') }}
                    as period_index
            from (values {{ rows | join(', ') }})
                as probe_values (probe_id, anchor, months, day)
        ) as probes
        ) as indexed
    {%- endset -%}
    {%- do adapter.create_schema(relation) -%}
    {%- call statement('drop_billing_period_probe') -%}
        drop table if exists {{ relation }}
    {%- endcall -%}
    {%- call statement('create_billing_period_probe') -%}
        create table {{ relation }} as {{ select_sql }}
    {%- endcall -%}
    {%- do adapter.commit() if target.type != 'spark' -%}
{% endmacro %}

{#
    Test helper: each view among the marts and audit models (e.g. fct_invoice_line_events) read
    into table parity.<schema>__<view>, so that the parity test compares what the view returns
    on each engine (a Spark view has no files of its own to read).
#}
{% macro create_view_parity_copies() %}
    {%- for node in meterline.mart_and_audit_models() -%}
        {%- if node.config.materialized == 'view' -%}
            {%- set view = api.Relation.create(
                database=node.database, schema=node.schema, identifier=node.alias) -%}
            {%- set copy = api.Relation.create(
                schema='parity', identifier=node.fqn[1] ~ '__' ~ node.alias) -%}
            {%- do adapter.create_schema(copy) -%}
            {%- call statement('drop_view_copy') -%}
                drop table if exists {{ copy }}
            {%- endcall -%}
            {%- call statement('create_view_copy') -%}
                create table {{ copy }} as select * from {{ view }}
            {%- endcall -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do adapter.commit() if target.type != 'spark' -%}
{% endmacro %}

{#
    Seed values: what the engine keeps, how staging reads a seed value, and the
    helpers of the seed_values_valid test (tests/generic/seed_values_valid.sql).

    Numeric seed columns are loaded as decimal(38, 18) (dbt_project.yml), wider than
    any type the engine computes with, so a value is stored as written and a value
    the engine cannot hold exactly is reported by a data test instead of being
    rounded when the seed is loaded. Each kind of value has the digits its engine
    type keeps (macros/types.sql):

      kind         integer digits  fractional digits  engine type
      quantity     13              9                  quantity_type()    decimal(37, 9)
      unit_price   6               9                  unit_price_type()  decimal(15, 9)
      money        9               4                  money_type()       decimal(38, 4)
      percent      3               4                  decimal(9, 4)

    Seed quantities (package_size, free_quantity, up_to) are held to 13 integer digits,
    below what quantity_type() holds: enough for any tier or package, and what the seed
    checks have always allowed.
    Money is held to 9 integer digits (below 10^9) although money_type() is wider:
    proration and percentages divide exactly through 38-digit integers scaled by
    10^27 (divide_decimal), which overflow from about 3 x 10^9.
    Percentages (discount_percent) are at most 100.
#}

{% macro seed_value_digits(kind) -%}
    {%- set digits = {
        'quantity': [13, 9],
        'unit_price': [6, 9],
        'money': [9, 4],
        'percent': [3, 4],
    } -%}
    {%- if kind not in digits -%}
        {{ exceptions.raise_compiler_error("seed value kind must be one of " ~ (digits.keys() | list) ~ ", not " ~ kind) }}
    {%- endif -%}
    {{ return(digits[kind]) }}
{%- endmacro %}

{# The engine type a seed value of this kind is read as. #}
{% macro seed_value_type(kind) -%}
    {%- if kind == 'quantity' -%}{{ meterline.quantity_type() }}
    {%- elif kind == 'unit_price' -%}{{ meterline.unit_price_type() }}
    {%- elif kind == 'money' -%}{{ meterline.money_type() }}
    {%- elif kind == 'percent' -%}decimal(9, 4)
    {%- else -%}{{ meterline.seed_value_digits(kind) }}
    {%- endif -%}
{%- endmacro %}

{# True when the decimal expression fits the kind's digits exactly; null when it is null. #}
{% macro seed_value_fits(expr, kind) -%}
    {%- set digits = meterline.seed_value_digits(kind) -%}
    (abs({{ expr }}) < 1{{ '0' * digits[0] }} and {{ expr }} = round({{ expr }}, {{ digits[1] }}))
{%- endmacro %}

{#
    A seed value as staging reads it: cast to the engine type when it fits exactly,
    else null (never rounded, never an overflow error); the seed's test names it.
#}
{% macro seed_value(expr, kind) -%}
    cast(case when {{ meterline.seed_value_fits(expr, kind) }} then {{ expr }} end as {{ meterline.seed_value_type(kind) }})
{%- endmacro %}

{#
    A decimal as plain text without trailing fractional zeros (0.000000001500000000 ->
    0.0000000015, 7000.000000000000000000 -> 7000), for reports: decimal_text
    (macros/pricing/format_number.sql) gives the plain digits on every engine.
#}
{% macro seed_value_text(expr) -%}
    {%- set text = meterline.decimal_text(expr) -%}
    case
        when {{ text }} like '%.%'
            then regexp_replace(regexp_replace({{ text }}, '0+$', ''), '[.]$', '')
        else {{ text }}
    end
{%- endmacro %}

{#
    The time zone names the engine knows, one row each (column timezone_name), exact
    spelling; 'UTC' always. stg_accounts resolves billing_timezone against it.
#}
{% macro known_timezone_names() -%}
    {{ return(adapter.dispatch('known_timezone_names', 'meterline')()) }}
{%- endmacro %}

{% macro default__known_timezone_names() -%}
    {{ exceptions.raise_compiler_error("known_timezone_names: unsupported adapter " ~ target.type) }}
{%- endmacro %}

{#- DuckDB: ICU's time zone list (the zones timezone() accepts). -#}
{% macro duckdb__known_timezone_names() -%}
    select cast(name as {{ dbt.type_string() }}) as timezone_name from pg_timezone_names()
    union
    select 'UTC' as timezone_name
{%- endmacro %}

{#- Spark: Java's region zone ids (the zones from_utc_timestamp accepts by name), read from
    ZoneId.getAvailableZoneIds(), whose text is '[Asia/Aden, America/Cuiaba, ...]'. -#}
{% macro spark__known_timezone_names() -%}
    select distinct zone_ids.timezone_name
    from (
        select explode(split(substring(zone_list.ids, 2, length(zone_list.ids) - 2), ', ')) as timezone_name
        from (select reflect('java.time.ZoneId', 'getAvailableZoneIds') as ids) as zone_list
    ) as zone_ids
    union
    select 'UTC' as timezone_name
{%- endmacro %}

{#
    A seed column added in v1.1 of the data contract (section 7), as staging reads it: the
    column when the seed file has it, else null of `type`, so a seed written for v1 keeps
    giving the v1 results. `columns` is seed_column_names(relation), read once per model; when
    it is empty (dbt parsing, or a unit test reading its fixture) the column is taken as there.
#}
{% macro optional_seed_column(columns, column, type) -%}
    {%- if not columns or column | lower in columns -%}
        {{ column }}
    {%- else -%}
        cast(null as {{ type }})
    {%- endif -%}
{%- endmacro %}

{# The lower-case column names of a seed's table (empty while dbt parses). #}
{% macro seed_column_names(relation) -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set names = [] -%}
    {%- for column in adapter.get_columns_in_relation(relation) -%}
        {%- do names.append(column.name | lower) -%}
    {%- endfor -%}
    {{ return(names) }}
{%- endmacro %}

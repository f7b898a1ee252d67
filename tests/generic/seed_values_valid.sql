{#
    Every checked value of a seed (or of the staging model that reads it) is valid.
    One failure row per bad value, naming it: seed_file, row_id, column_name, bad_value
    (as text) and problem.

    Arguments:
      id_columns  the column(s) that identify a row; several are joined by '/' in row_id
                  (price_tiers: 'p_api/2')
      checks      a list, each with
                    column   the column named in the failure
                    fits     optional: quantity | unit_price | money | percent; fails when
                             the value has more integer or fractional digits than the
                             engine keeps (macros/seed_values.sql)
                    valid    optional SQL condition; fails where it is false (null passes,
                             like a CHECK constraint, so an empty cell passes)
                    problem  what a failed `valid` means, shown in the failure
                    value    optional SQL for bad_value (default: the column)
                    optional true for a column added in v1.1 of the data contract: checked
                             only when the seed file has it
      seed_file   default: the model's name + '.csv'
      run_after   optional: a ref() the test waits for. A failing test makes `dbt build`
                  skip only the models that depend on every node the test reads; with a
                  model nothing depends on here (a leaf), the failure skips nothing. For
                  mistakes the models are built to survive (an unknown time zone).
#}
{% test seed_values_valid(model, id_columns, checks, seed_file=none, run_after=none) %}

{%- set id_list = [id_columns] if id_columns is string else id_columns -%}
{%- set seed_columns = meterline.seed_column_names(model) -%}
{%- set all_checks = checks -%}
{%- set checks = [] -%}
{%- for check in all_checks -%}
    {%- if not check.get('optional') or check.column | lower in seed_columns -%}
        {%- do checks.append(check) -%}
    {%- endif -%}
{%- endfor -%}
{%- set file_name = seed_file or (model.identifier ~ '.csv') -%}
{%- set row_id_parts = [] -%}
{%- for id_column in id_list -%}
    {%- do row_id_parts.append('coalesce(cast(' ~ id_column ~ ' as ' ~ dbt.type_string() ~ "), '')") -%}
    {%- if not loop.last %}{% do row_id_parts.append("'/'") %}{% endif -%}
{%- endfor -%}

{%- if run_after is not none %}
-- runs after {{ run_after }}
{%- endif %}

with

seed_rows as (

    select * from {{ model }}

),

{% for check in checks %}
    {%- if 'fits' not in check and 'valid' not in check -%}
        {{ exceptions.raise_compiler_error("seed_values_valid: check of " ~ check.column ~ " needs fits or valid") }}
    {%- endif %}
check_{{ loop.index }} as (

    select
        cast('{{ file_name }}' as {{ dbt.type_string() }}) as seed_file,
        {{ dbt.concat(row_id_parts) if row_id_parts | length > 1 else row_id_parts[0] }} as row_id,
        cast('{{ check.column }}' as {{ dbt.type_string() }}) as column_name,
        {% if 'value' in check -%}
            cast({{ check.value }} as {{ dbt.type_string() }})
        {%- elif 'fits' in check -%}
            {{ meterline.seed_value_text(check.column) }}
        {%- else -%}
            cast({{ check.column }} as {{ dbt.type_string() }})
        {%- endif %} as bad_value,
        case
            {%- if 'fits' in check %}
                {%- set digits = meterline.seed_value_digits(check['fits']) %}
                when not {{ meterline.seed_value_fits(check['column'], check['fits']) }}
                    then 'more than {{ digits[0] }} integer or {{ digits[1] }} fractional digits'
            {%- endif %}
            {%- if 'valid' in check %}
                when not ({{ check.valid }}) then '{{ check.get('problem', 'invalid') }}'
            {%- endif %}
        end as problem
    from seed_rows

),

{% endfor %}

failures as (

    {% for check in checks -%}
        select * from check_{{ loop.index }}
        where problem is not null
        {% if not loop.last %}union all{% endif %}
    {% else -%}
        select
            cast(null as {{ dbt.type_string() }}) as seed_file,
            cast(null as {{ dbt.type_string() }}) as row_id,
            cast(null as {{ dbt.type_string() }}) as column_name,
            cast(null as {{ dbt.type_string() }}) as bad_value,
            cast(null as {{ dbt.type_string() }}) as problem
        from seed_rows
        where 1 = 0
    {% endfor %}

)

select * from failures

{% endtest %}

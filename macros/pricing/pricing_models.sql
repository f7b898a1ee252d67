{#
    The pricing models: one entry each, read by everything that knows the models (the
    rating models, the invoice line descriptions, the seed tests' accepted values).
    Adding a model = one entry here + one file in macros/pricing/models/ + seed rows and
    its tests (DECISIONLOG "Pricing models are a registry").

    Properties of each model:
      rates      what the model prices, which decides the macros its file defines
                   quantity  the rated row's billable quantity:
                               pricing_amount_<name>(row)
                   tiers     the price's tiers (stg_price_tiers), one row per tier, summed:
                               pricing_tier_units_<name>(row, tier)
                               pricing_tier_flat_<name>(row, tier)
                               pricing_tier_amount_<name>(row, tier)
                   events    each event of the rated row, summed exactly:
                               pricing_event_amount_<name>(price, event)
                 every model also defines pricing_description_<name>(row): the text between
                 "<meter> (<group>): " and " = <amount>" on its invoice line.
      required   price columns that must be set (a seed test names the price)
      empty      price columns that must be empty
      positive   price columns that must be above zero when set
      columns    the price columns the model reads beyond those of every usage price
                 (price_parameters()), each with its kind of seed value (macros/seed_values.sql);
                 staging and the rating models carry them, so a new column needs no model edit
      meter_aggregations  the meter aggregations the model can price (none = any)
      counts_units  the model defines pricing_units_<name>(row): the units it charges for
                 (package: packages started), kept as the rated row's package_count

    `row` is the alias of a relation with the columns of int_rating_quantities plus
    billable_quantity (and package_count where counts_units), or '' for the columns
    unqualified (column_ref); `tier` one of int_price_tiers; `event` one of
    int_rating_events (value).
    Every macro is looked up by name, the engine's version first, so an engine may
    override any of them (spark__pricing_amount_per_unit beside default__...).
#}
{% macro pricing_models() -%}
    {{ return({
        'per_unit': {
            'rates': 'quantity',
            'columns': {'unit_amount': 'unit_price'},
            'required': ['unit_amount'],
        },
        'package': {
            'rates': 'quantity',
            'columns': {'unit_amount': 'unit_price', 'package_size': 'quantity'},
            'required': ['unit_amount', 'package_size'],
            'positive': ['package_size'],
            'counts_units': true,
        },
        'graduated': {
            'rates': 'tiers',
        },
        'volume': {
            'rates': 'tiers',
        },
        'percentage': {
            'rates': 'events',
            'columns': {
                'percent_rate': 'percent',
                'per_event_amount': 'money',
                'per_event_minimum': 'money',
                'per_event_maximum': 'money',
            },
            'empty': ['free_quantity'],
            'meter_aggregations': ['sum'],
        },
    }) }}
{%- endmacro %}

{#
    The price columns of usage prices, name -> kind of seed value: those every usage price may
    set (free quantity, minimum, maximum), then each model's `columns`, in registry order.
#}
{% macro price_parameters() -%}
    {%- set parameters = {
        'free_quantity': 'quantity',
        'minimum_amount': 'money',
        'maximum_amount': 'money',
    } -%}
    {%- for model in meterline.pricing_models().values() -%}
        {%- for column, kind in model.get('columns', {}).items() -%}
            {%- do parameters.update({column: kind}) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(parameters) }}
{%- endmacro %}

{# The names of the models whose `property` is `value` (rates: 'tiers' -> graduated, volume). #}
{% macro pricing_model_names(property=none, value=none) -%}
    {%- set names = [] -%}
    {%- for name, model in meterline.pricing_models().items() -%}
        {%- if property is none or model.get(property) == value -%}
            {%- do names.append(name) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(names) }}
{%- endmacro %}

{# The names as a SQL list: ('graduated', 'volume'); ('') when none, which matches nothing. #}
{% macro pricing_model_list(property=none, value=none) -%}
    {%- set names = meterline.pricing_model_names(property, value) -%}
    ({{ ("'" ~ (names | join("', '")) ~ "'") if names else "''" }})
{%- endmacro %}

{#
    One model's macro for `part` (amount, description, tier_amount, ...), found by name as
    adapter.dispatch would (which dbt only allows with a literal name).
#}
{% macro pricing_model_macro(part, name) -%}
    {%- set macro_name = 'pricing_' ~ part ~ '_' ~ name -%}
    {%- set found = meterline.get(adapter.type() ~ '__' ~ macro_name) or meterline.get('default__' ~ macro_name) -%}
    {%- if not found -%}
        {{ exceptions.raise_compiler_error("pricing model " ~ name ~ " has no macro default__" ~ macro_name) }}
    {%- endif -%}
    {{ return(found) }}
{%- endmacro %}

{#
    A CASE over the pricing_model column calling `part` of every model whose `rates` is
    `rates` (all models when none), or that has the true `property` (counts_units), with
    `args`; null for the others (and null when no model qualifies).
#}
{% macro pricing_model_case(model_column, part, args, rates=none, property=none) -%}
    {%- if property -%}
        {%- set names = meterline.pricing_model_names(property, true) -%}
    {%- elif rates -%}
        {%- set names = meterline.pricing_model_names('rates', rates) -%}
    {%- else -%}
        {%- set names = meterline.pricing_model_names() -%}
    {%- endif -%}
    {%- if names %}
    case {{ model_column }}
        {%- for name in names %}
        when '{{ name }}' then {{ meterline.pricing_model_macro(part, name)(*args) }}
        {%- endfor %}
    end
    {%- else %}
    null
    {%- endif %}
{%- endmacro %}

{# A column of the relation `row` (an alias), or the bare column when row is empty. #}
{% macro column_ref(row, column) -%}
    {{ (row ~ '.' ~ column) if row else column }}
{%- endmacro %}

{#
    A SQL condition true when a price row (columns of stg_prices) satisfies its model's
    required / empty / positive columns; the data test assert_prices_fit_their_pricing_model
    names the prices where it is false.
#}
{% macro pricing_model_columns_valid(model_column='pricing_model') -%}
    case {{ model_column }}
        {%- for name, model in meterline.pricing_models().items() %}
        when '{{ name }}' then (
            true
            {%- for column in model.get('required', []) %}
            and {{ column }} is not null
            {%- endfor %}
            {%- for column in model.get('empty', []) %}
            and {{ column }} is null
            {%- endfor %}
            {%- for column in model.get('positive', []) %}
            and ({{ column }} is null or {{ column }} > 0)
            {%- endfor %}
        )
        {%- endfor %}
        else false
    end
{%- endmacro %}

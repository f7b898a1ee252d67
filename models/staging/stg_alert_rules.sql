{#
    Grain: alert rule (key alert_rule_id). The rules of seeds/alert_rules.csv with the
    direction defaulted from the metric and the checks that need the other seeds (account,
    plan and meter known; a meter whose groups combine into one figure). Value mistakes are
    named by the seed's test (seeds/_seeds__seeds.yml), these by this model's test.
#}

{%- set registry = meterline.aggregations() %}

with

source as (

    select * from {{ ref('alert_rules') }}

),

accounts as (

    select * from {{ ref('stg_accounts') }}

),

plans as (

    select * from {{ ref('stg_plans') }}

),

meters as (

    select * from {{ ref('stg_meters') }}

),

renamed as (

    select
        -- ids
        cast(alert_rule_id as {{ dbt.type_string() }}) as alert_rule_id,
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(plan_id as {{ dbt.type_string() }}) as plan_id,
        cast(meter_id as {{ dbt.type_string() }}) as meter_id,

        -- definition
        cast(lower(metric) as {{ dbt.type_string() }}) as metric,
        cast(upper(currency) as {{ dbt.type_string() }}) as currency,
        cast(lower(direction) as {{ dbt.type_string() }}) as configured_direction,
        cast(description as {{ dbt.type_string() }}) as description,

        -- numerics
        -- a value the engine cannot hold exactly is null here; the seed's test names it
        {{ meterline.seed_value('threshold', 'quantity') }} as threshold,
        {{ meterline.seed_value('recurring_every', 'quantity') }} as recurring_every,

        -- dates
        cast(active_from as date) as active_from,
        cast(active_to as date) as active_to
    from source

),

checked as (

    select
        renamed.alert_rule_id,
        renamed.account_id,
        renamed.plan_id,
        renamed.meter_id,
        renamed.metric,
        renamed.currency,
        -- quantities and amounts are watched going up, balances going down
        cast(
            coalesce(
                renamed.configured_direction,
                case
                    when renamed.metric in ('meter_quantity', 'period_amount') then 'above'
                    when renamed.metric in ('credit_balance', 'commitment_balance') then 'below'
                end
            ) as {{ dbt.type_string() }}
        ) as direction,
        renamed.threshold,
        renamed.recurring_every,
        renamed.active_from,
        renamed.active_to,
        renamed.description,

        -- checks (named by this model's seed_values_valid test)
        renamed.account_id is null or accounts.account_id is not null as is_known_account,
        renamed.plan_id is null or plans.plan_id is not null as is_known_plan,
        renamed.meter_id is null or meters.meter_id is not null as is_known_meter,
        -- a meter's groups (and contracts) must combine into one figure for the period
        renamed.meter_id is null or meters.meter_id is null or coalesce(
            meters.aggregation in (
                {%- for name in registry | sort if registry[name]['group_total'] is not none %}
                    '{{ name }}'{{ ',' if not loop.last }}
                {%- endfor %}
            ),
            false
        ) as is_combinable_meter,
        meters.aggregation as meter_aggregation
    from renamed
    left join accounts
        on renamed.account_id = accounts.account_id
    left join plans
        on renamed.plan_id = plans.plan_id
    left join meters
        on renamed.meter_id = meters.meter_id

)

select * from checked

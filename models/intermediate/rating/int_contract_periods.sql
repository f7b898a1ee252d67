{#
    Billing periods of every contract, in the contract's cadence (data contract 7.1;
    macros/billing/billing_periods.sql): from the period containing starts_on up to the
    one containing as_of, stopping before ends_on, plus any later period that already has
    usage (events within the future tolerance of as_of), so that no accepted usage goes
    unbilled. Without a cadence, calendar months.
#}

with

contracts as (

    select * from {{ ref('stg_contracts') }}

),

plans as (

    select * from {{ ref('stg_plans') }}

),

meter_usage as (

    select * from {{ ref('int_period_usage') }}

),

usage_periods as (

    select distinct
        contract_id,
        period_start
    from meter_usage

),

-- the contract's periods up to as_of's, and each later period with usage
all_periods as (

    {{ meterline.contract_billing_periods('contracts', 'usage_periods') }}

),

periods as (

    select
        -- ids
        contracts.account_id,
        contracts.contract_id,
        contracts.plan_id,
        plans.currency,

        -- dates
        all_periods.period_start,
        all_periods.period_end,
        contracts.starts_on as contract_starts_on,
        contracts.ends_on as contract_ends_on,

        -- cadence
        contracts.bill_frequency,
        contracts.period_months,
        all_periods.period_index,

        -- commitments
        contracts.minimum_commitment,
        contracts.discount_percent
    from all_periods
    inner join contracts
        on all_periods.contract_id = contracts.contract_id
    inner join plans
        on contracts.plan_id = plans.plan_id

),

covered as (

    select
        *,
        case
            when contract_starts_on > period_start then contract_starts_on
            else period_start
        end as coverage_start,
        case
            when contract_ends_on is not null and contract_ends_on < period_end then contract_ends_on
            else period_end
        end as coverage_end
    from periods
    where
        period_start < coalesce(contract_ends_on, period_end)
        and period_end > contract_starts_on

),

final as (

    select
        -- ids
        account_id,
        contract_id,
        plan_id,
        currency,

        -- dates
        period_start,
        period_end,
        contract_starts_on,
        contract_ends_on,
        coverage_start,
        coverage_end,

        -- numerics
        cast({{ dbt.datediff('coverage_start', 'coverage_end', 'day') }} as integer) as covered_days,
        cast({{ dbt.datediff('period_start', 'period_end', 'day') }} as integer) as period_days,
        minimum_commitment,
        discount_percent,

        -- cadence
        bill_frequency,
        period_months,
        period_index,
        {{ meterline.period_label('period_start', 'period_end') }} as period_label
    from covered

)

select * from final

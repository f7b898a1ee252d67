-- Configuration error (data contract 7.3): a commitment term that does not start on a
-- billing-period start of its contract (or the contract's first day), or does not end on a
-- period end (or the contract's end). Only the periods built so far (int_contract_periods,
-- up to as_of) are known: a date after the last of them is checked on a later run, once its
-- period is built (before the term's last invoice). One row per commitment and date.
with

commitments as (

    select * from {{ ref('stg_commitments') }}

),

contracts as (

    select * from {{ ref('stg_contracts') }}

),

periods as (

    select * from {{ ref('int_contract_periods') }}

),

period_starts as (

    select distinct
        contract_id,
        period_start
    from periods

),

period_ends as (

    select distinct
        contract_id,
        period_end
    from periods

),

known_periods as (

    select
        contract_id,
        max(period_end) as known_until
    from periods
    group by contract_id

),

term_dates as (

    select
        commitments.commitment_id,
        commitments.contract_id,
        'starts_on' as column_name,
        commitments.starts_on as term_date,
        contracts.starts_on = commitments.starts_on as is_contract_boundary,
        period_starts.period_start is not null as is_period_boundary,
        commitments.starts_on < known_periods.known_until as is_known
    from commitments
    inner join contracts
        on commitments.contract_id = contracts.contract_id
    inner join known_periods
        on commitments.contract_id = known_periods.contract_id
    left join period_starts
        on
            commitments.contract_id = period_starts.contract_id
            and commitments.starts_on = period_starts.period_start

    union all

    select
        commitments.commitment_id,
        commitments.contract_id,
        'ends_on' as column_name,
        commitments.ends_on as term_date,
        coalesce(contracts.ends_on = commitments.ends_on, false) as is_contract_boundary,
        period_ends.period_end is not null as is_period_boundary,
        commitments.ends_on <= known_periods.known_until as is_known
    from commitments
    inner join contracts
        on commitments.contract_id = contracts.contract_id
    inner join known_periods
        on commitments.contract_id = known_periods.contract_id
    left join period_ends
        on
            commitments.contract_id = period_ends.contract_id
            and commitments.ends_on = period_ends.period_end

),

checked as (

    select
        commitment_id,
        contract_id,
        column_name,
        term_date,
        case
            when column_name = 'starts_on' then 'not a billing-period start of the contract'
            else 'not a billing-period end of the contract'
        end as problem
    from term_dates
    where
        is_known
        and not is_contract_boundary
        and not is_period_boundary

)

select * from checked

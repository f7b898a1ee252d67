-- Configuration error (data contract 7.3): a commitment term that does not start and end on
-- billing-period boundaries of its contract (a period's start or end, or the contract's first
-- or last day). Only the periods built so far are known (int_contract_periods, up to as_of):
-- a date after the last of them is checked on a later run, once its period is built (before
-- the term's last invoice); a date before the contract is named by
-- assert_commitment_terms_fit_their_contracts. One row per commitment and date.
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

boundaries as (

    select
        contract_id,
        period_start as boundary_on
    from periods
    union
    select
        contract_id,
        period_end as boundary_on
    from periods
    union
    select
        contract_id,
        starts_on as boundary_on
    from contracts
    union
    select
        contract_id,
        ends_on as boundary_on
    from contracts
    where ends_on is not null

),

known_periods as (

    select
        contract_id,
        min(period_start) as known_from,
        max(period_end) as known_until
    from periods
    group by contract_id

),

term_dates as (

    select
        commitment_id,
        contract_id,
        'starts_on' as column_name,
        starts_on as term_date
    from commitments
    union all
    select
        commitment_id,
        contract_id,
        'ends_on' as column_name,
        ends_on as term_date
    from commitments

),

checked as (

    select
        term_dates.commitment_id,
        term_dates.contract_id,
        term_dates.column_name,
        term_dates.term_date,
        'not a billing-period boundary of the contract' as problem
    from term_dates
    inner join known_periods
        on term_dates.contract_id = known_periods.contract_id
    left join boundaries
        on
            term_dates.contract_id = boundaries.contract_id
            and term_dates.term_date = boundaries.boundary_on
    where
        term_dates.term_date >= known_periods.known_from
        and term_dates.term_date <= known_periods.known_until
        and boundaries.boundary_on is null

)

select * from checked

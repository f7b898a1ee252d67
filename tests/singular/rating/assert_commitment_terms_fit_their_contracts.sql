-- Configuration error (data contract 7.3): a commitment whose term [starts_on, ends_on) is
-- not inside its contract, or whose contract does not exist; one row per commitment.
-- (Missing dates and ends_on not after starts_on are named by the seed's test.)
with

commitments as (

    select * from {{ ref('stg_commitments') }}

),

contracts as (

    select * from {{ ref('stg_contracts') }}

),

checked as (

    select
        -- ids
        commitments.commitment_id,
        commitments.contract_id,

        -- dates
        commitments.starts_on,
        commitments.ends_on,
        contracts.starts_on as contract_starts_on,
        contracts.ends_on as contract_ends_on,

        case
            when contracts.contract_id is null
                then 'contract_id is not a contract of contracts.csv'
            when commitments.starts_on < contracts.starts_on
                then 'starts before its contract'
            when contracts.ends_on is not null and commitments.ends_on > contracts.ends_on
                then 'ends after its contract'
        end as problem
    from commitments
    left join contracts
        on commitments.contract_id = contracts.contract_id

)

select * from checked
where problem is not null

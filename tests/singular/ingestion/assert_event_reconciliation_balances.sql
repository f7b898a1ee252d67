-- Nothing is lost: on every row received = accepted + duplicates + quarantined, the
-- total row equals the sum of the file rows, and the total equals the landed records.
-- Returns the rows that break a rule.

with

reconciliation as (

    select * from {{ ref('audit_event_reconciliation') }}

),

records as (

    select count(*) as record_count from {{ ref('stg_landing__event_records') }}

),

unbalanced_rows as (

    select
        'row does not balance' as problem,
        file_name
    from reconciliation
    where received <> accepted + duplicates + quarantined

),

file_sums as (

    select
        coalesce(sum(received), 0) as received,
        coalesce(sum(accepted), 0) as accepted,
        coalesce(sum(duplicates), 0) as duplicates,
        coalesce(sum(quarantined), 0) as quarantined
    from reconciliation
    where file_name is not null

),

totals as (

    select * from reconciliation
    where file_name is null

),

total_problems as (

    select
        'total row differs from the file rows or the landed records' as problem,
        cast(null as {{ dbt.type_string() }}) as file_name
    from file_sums
    cross join records
    left join totals on 1 = 1
    where
        totals.received is null
        or totals.received <> file_sums.received
        or totals.accepted <> file_sums.accepted
        or totals.duplicates <> file_sums.duplicates
        or totals.quarantined <> file_sums.quarantined
        or totals.received <> records.record_count

),

total_count as (

    select
        'expected exactly one total row' as problem,
        cast(null as {{ dbt.type_string() }}) as file_name
    from (select count(*) as total_rows from totals) as counted
    where total_rows <> 1

)

select * from unbalanced_rows
union all
select * from total_problems
union all
select * from total_count

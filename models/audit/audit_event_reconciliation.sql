with

records as (

    select * from {{ ref('stg_landing__event_records') }}

),

classified as (

    select * from {{ ref('int_events_classified') }}

),

-- each outcome counted per file (no record-level joins): received from the landed records,
-- the others from the model that decides them (int_events_classified: validation, then
-- dedupe of the valid records); nothing is lost when received = accepted + duplicates +
-- quarantined
received_counts as (

    select
        file_name,
        min(file_landed_at) as file_landed_at,
        count(*) as received
    from records
    group by file_name

),

outcome_counts as (

    select
        file_name,
        sum(case when not is_valid then 1 else 0 end) as quarantined,
        sum(case when dedupe_status = 'accepted' then 1 else 0 end) as accepted,
        sum(case when dedupe_status in ('duplicate', 'conflict') then 1 else 0 end) as duplicates
    from classified
    group by file_name

),

per_file as (

    select
        received_counts.file_name,
        received_counts.file_landed_at,
        received_counts.received,
        coalesce(outcome_counts.accepted, 0) as accepted,
        coalesce(outcome_counts.duplicates, 0) as duplicates,
        coalesce(outcome_counts.quarantined, 0) as quarantined
    from received_counts
    left join outcome_counts
        on received_counts.file_name = outcome_counts.file_name

),

total as (

    select
        cast(null as {{ dbt.type_string() }}) as file_name,
        cast(null as timestamp) as file_landed_at,
        coalesce(sum(received), 0) as received,
        sum(accepted) as accepted,
        sum(duplicates) as duplicates,
        sum(quarantined) as quarantined
    from per_file

),

unioned as (

    select * from per_file
    union all
    select * from total

),

final as (

    select
        -- file (null on the total row)
        cast(file_name as {{ dbt.type_string() }}) as file_name,
        cast(file_landed_at as timestamp) as file_landed_at,
        file_name is null as is_total,

        -- counts
        cast(received as bigint) as received,
        cast(coalesce(accepted, 0) as bigint) as accepted,
        cast(coalesce(duplicates, 0) as bigint) as duplicates,
        cast(coalesce(quarantined, 0) as bigint) as quarantined
    from unioned

)

select * from final

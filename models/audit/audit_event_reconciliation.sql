with

records as (

    select * from {{ ref('stg_landing__event_records') }}

),

validated as (

    select * from {{ ref('int_events_validated') }}

),

deduplicated as (

    select * from {{ ref('int_events_deduplicated') }}

),

-- each outcome counted per file from the model that decides it (no record-level joins):
-- received from the landed records, quarantined from validation, accepted and duplicates
-- from dedupe; nothing is lost when received = accepted + duplicates + quarantined
received_counts as (

    select
        file_name,
        min(file_landed_at) as file_landed_at,
        count(*) as received
    from records
    group by file_name

),

quarantined_counts as (

    select
        file_name,
        count(*) as quarantined
    from validated
    where not is_valid
    group by file_name

),

dedupe_counts as (

    select
        file_name,
        sum(case when dedupe_status = 'accepted' then 1 else 0 end) as accepted,
        sum(case when dedupe_status in ('duplicate', 'conflict') then 1 else 0 end) as duplicates
    from deduplicated
    group by file_name

),

per_file as (

    select
        received_counts.file_name,
        received_counts.file_landed_at,
        received_counts.received,
        coalesce(dedupe_counts.accepted, 0) as accepted,
        coalesce(dedupe_counts.duplicates, 0) as duplicates,
        coalesce(quarantined_counts.quarantined, 0) as quarantined
    from received_counts
    left join quarantined_counts
        on received_counts.file_name = quarantined_counts.file_name
    left join dedupe_counts
        on received_counts.file_name = dedupe_counts.file_name

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

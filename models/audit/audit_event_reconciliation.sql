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

outcomes as (

    select
        records.file_name,
        records.file_landed_at,
        case
            when validated.is_valid = false then 'quarantined'
            when deduplicated.dedupe_status = 'accepted' then 'accepted'
            when deduplicated.dedupe_status in ('duplicate', 'conflict') then 'duplicate'
        end as outcome
    from records
    left join validated
        on records.record_id = validated.record_id
    left join deduplicated
        on records.record_id = deduplicated.record_id

),

per_file as (

    select
        file_name,
        min(file_landed_at) as file_landed_at,
        count(*) as received,
        sum(case when outcome = 'accepted' then 1 else 0 end) as accepted,
        sum(case when outcome = 'duplicate' then 1 else 0 end) as duplicates,
        sum(case when outcome = 'quarantined' then 1 else 0 end) as quarantined
    from outcomes
    group by file_name

),

total as (

    select
        cast(null as {{ dbt.type_string() }}) as file_name,
        cast(null as timestamp) as file_landed_at,
        count(*) as received,
        sum(case when outcome = 'accepted' then 1 else 0 end) as accepted,
        sum(case when outcome = 'duplicate' then 1 else 0 end) as duplicates,
        sum(case when outcome = 'quarantined' then 1 else 0 end) as quarantined
    from outcomes

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

{{ config(
    materialized=meterline.event_path_materialization(),
    incremental_strategy='append',
    on_schema_change='fail',
) }}

{#- Incremental (append): the outcome of a record never changes once decided, so a run
    classifies only the valid records of new batches, against each other and against the
    copies taken in by earlier runs whose occurred_at is inside the dedupe horizon
    (as_of minus var dedupe_horizon_days). See the YAML description. -#}

with

validated as (

    select * from {{ ref('int_events_validated') }}
    where {{ meterline.new_batches_filter('batch_loaded_at') }}

),

records as (

    -- the landed rows of the same batches: the text of duplicate copies is rendered from them
    select * from {{ ref('stg_landing__event_records') }}
    where {{ meterline.new_batches_filter('batch_loaded_at') }}

),

valid_records as (

    -- quarantined records take no part in dedupe: a corrected resend with the same id counts
    select * from validated
    where is_valid

),

key_copies as (

    select
        source,
        event_id,
        count(*) as copies
    from valid_records
    group by source, event_id

),

new_ranked as (

    -- most keys have one copy: only keys with several are ranked (a window sorts its rows)
    select
        valid_records.*,
        cast(1 as bigint) as batch_copy_number
    from valid_records
    inner join key_copies
        on
            valid_records.source = key_copies.source
            and valid_records.event_id = key_copies.event_id
    where key_copies.copies = 1
    union all
    select
        valid_records.*,
        row_number() over (
            partition by valid_records.source, valid_records.event_id
            order by valid_records.file_landed_at, valid_records.file_name, valid_records.line_number
        ) as batch_copy_number
    from valid_records
    inner join key_copies
        on
            valid_records.source = key_copies.source
            and valid_records.event_id = key_copies.event_id
    where key_copies.copies > 1

),

earlier_copies as (

    {% if is_incremental() -%}
        -- copies of the new keys classified by earlier runs, inside the dedupe horizon
        select
            earlier.source,
            earlier.event_id,
            earlier.copy_number,
            earlier.record_id,
            earlier.file_name,
            earlier.line_number,
            earlier.payload_hash
        from {{ this }} as earlier
        inner join (
            select distinct
                valid_records.source,
                valid_records.event_id
            from valid_records
        ) as new_keys
            on
                earlier.source = new_keys.source
                and earlier.event_id = new_keys.event_id
        where earlier.occurred_at >= {{ dbt.dateadd('day', -1 * meterline.dedupe_horizon_days(), meterline.as_of_literal()) }}
    {%- else -%}
        select
            cast(null as {{ dbt.type_string() }}) as source,
            cast(null as {{ dbt.type_string() }}) as event_id,
            cast(null as bigint) as copy_number,
            cast(null as {{ dbt.type_string() }}) as record_id,
            cast(null as {{ dbt.type_string() }}) as file_name,
            cast(null as bigint) as line_number,
            cast(null as {{ dbt.type_string() }}) as payload_hash
        where 1 = 0
    {%- endif %}

),

earlier_counted as (

    select
        source,
        event_id,
        copy_number,
        record_id,
        file_name,
        line_number,
        payload_hash,
        max(copy_number) over (partition by source, event_id) as earlier_copy_count
    from earlier_copies

),

earlier_winners as (

    select
        source,
        event_id,
        record_id as winning_record_id,
        file_name as winning_file_name,
        line_number as winning_line_number,
        payload_hash as winning_payload_hash,
        earlier_copy_count
    from earlier_counted
    where copy_number = 1

),

ranked as (

    select
        new_ranked.*,
        coalesce(earlier_winners.earlier_copy_count, 0) + new_ranked.batch_copy_number as copy_number
    from new_ranked
    left join earlier_winners
        on
            new_ranked.source = earlier_winners.source
            and new_ranked.event_id = earlier_winners.event_id

),

winners as (

    -- the copy that counts: one taken in earlier (inside the horizon), else this batch's first
    select
        source,
        event_id,
        winning_record_id,
        winning_file_name,
        winning_line_number,
        winning_payload_hash
    from earlier_winners
    union all
    select
        source,
        event_id,
        record_id as winning_record_id,
        file_name as winning_file_name,
        line_number as winning_line_number,
        payload_hash as winning_payload_hash
    from ranked
    where copy_number = 1

),

classified as (

    select
        ranked.*,
        winners.winning_record_id,
        winners.winning_file_name,
        winners.winning_line_number,
        case
            when ranked.copy_number = 1 then 'accepted'
            when ranked.payload_hash = winners.winning_payload_hash then 'duplicate'
            else 'conflict'
        end as dedupe_status
    from ranked
    inner join winners
        on
            ranked.source = winners.source
            and ranked.event_id = winners.event_id

),

copy_texts as (

    -- the landed text of duplicate and conflict copies only
    select
        records.record_id,
        {{ meterline.landed_record_text('records') }} as raw_record
    from records
    inner join classified
        on records.record_id = classified.record_id
    where classified.dedupe_status <> 'accepted'

),

final as (

    select
        -- ids
        classified.record_id,
        classified.source,
        classified.event_id,
        classified.account_id,
        classified.event_type,

        -- landing
        classified.file_name,
        classified.line_number,
        classified.file_landed_at,
        classified.batch_loaded_at,
        -- the landed text, kept for duplicate and conflict copies
        copy_texts.raw_record,

        -- event
        classified.occurred_at_raw,
        classified.occurred_at,
        classified.properties,
        classified.payload_hash,

        -- validation
        classified.quarantine_reason,
        classified.is_valid,

        -- dedupe
        classified.copy_number,
        classified.winning_record_id,
        classified.winning_file_name,
        classified.winning_line_number,
        classified.dedupe_status
    from classified
    left join copy_texts
        on classified.record_id = copy_texts.record_id

)

select * from final

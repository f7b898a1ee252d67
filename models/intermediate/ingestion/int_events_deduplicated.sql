{{ config(
    materialized=meterline.event_path_materialization(),
    incremental_strategy='append',
    on_schema_change='fail',
) }}

{#- Incremental (append): the outcome of a record never changes once decided, so a run
    classifies only the valid records of new batches, against each other and against the
    copies taken in by earlier runs whose occurred_at is inside the dedupe horizon
    (as_of minus var dedupe_horizon_days). See the YAML description.

    Nearly every key has one copy and no earlier copy: it is accepted as it is. Only the
    contested keys (several copies in the new batches, or a copy taken in earlier) are
    ranked, on the few columns ranking needs; the wide records are read once and joined
    to that small outcome at the end. -#}

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
        inner join key_copies as new_keys
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

contested_keys as (

    -- keys with several copies in the new batches, or with a copy taken in earlier
    select
        source,
        event_id
    from key_copies
    where copies > 1
    union
    select
        source,
        event_id
    from earlier_winners

),

contested as (

    -- the new copies of contested keys, on the columns ranking and classifying need
    select
        valid_records.record_id,
        valid_records.source,
        valid_records.event_id,
        valid_records.file_name,
        valid_records.line_number,
        valid_records.file_landed_at,
        valid_records.payload_hash
    from valid_records
    inner join contested_keys
        on
            valid_records.source = contested_keys.source
            and valid_records.event_id = contested_keys.event_id

),

ranked as (

    select
        contested.*,
        coalesce(earlier_winners.earlier_copy_count, 0) + row_number() over (
            partition by contested.source, contested.event_id
            order by contested.file_landed_at, contested.file_name, contested.line_number
        ) as copy_number
    from contested
    left join earlier_winners
        on
            contested.source = earlier_winners.source
            and contested.event_id = earlier_winners.event_id

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

contested_outcomes as (

    select
        ranked.record_id,
        ranked.copy_number,
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
    inner join contested_outcomes
        on records.record_id = contested_outcomes.record_id
    where contested_outcomes.dedupe_status <> 'accepted'

),

final as (

    select
        -- ids
        valid_records.record_id,
        valid_records.source,
        valid_records.event_id,
        valid_records.account_id,
        valid_records.event_type,

        -- landing
        valid_records.file_name,
        valid_records.line_number,
        valid_records.file_landed_at,
        valid_records.batch_loaded_at,
        -- the landed text, kept for duplicate and conflict copies
        copy_texts.raw_record,

        -- event
        valid_records.occurred_at_raw,
        valid_records.occurred_at,
        valid_records.properties,
        valid_records.payload_hash,

        -- validation
        valid_records.quarantine_reason,
        valid_records.is_valid,

        -- dedupe: an uncontested key's only copy is its winner
        coalesce(contested_outcomes.copy_number, 1) as copy_number,
        coalesce(contested_outcomes.winning_record_id, valid_records.record_id) as winning_record_id,
        coalesce(contested_outcomes.winning_file_name, valid_records.file_name) as winning_file_name,
        coalesce(contested_outcomes.winning_line_number, valid_records.line_number) as winning_line_number,
        coalesce(contested_outcomes.dedupe_status, 'accepted') as dedupe_status
    from valid_records
    left join contested_outcomes
        on valid_records.record_id = contested_outcomes.record_id
    left join copy_texts
        on valid_records.record_id = copy_texts.record_id

)

select * from final

with

validated as (

    select * from {{ ref('int_events_validated') }}

),

valid_records as (

    -- quarantined records take no part in dedupe: a corrected resend with the same id counts
    select * from validated
    where is_valid

),

ranked as (

    select
        *,
        row_number() over (
            partition by source, event_id
            order by file_landed_at, file_name, line_number
        ) as copy_number
    from valid_records

),

winners as (

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

)

select * from classified

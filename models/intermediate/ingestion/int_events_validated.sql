{{ config(
    materialized=meterline.event_path_materialization(),
    incremental_strategy='append',
    on_schema_change='append_new_columns',
) }}

{#- Incremental (append): a record is validated once, in the run that loads it, against
    the seeds and as_of of that run; the decision is kept (see the YAML description). -#}

with

parsed as (

    select * from {{ ref('int_events_parsed') }}
    where {{ meterline.new_batches_filter('batch_loaded_at') }}

),

accounts as (

    select * from {{ ref('stg_accounts') }}

),

readings as (

    select * from {{ ref('int_event_meter_readings') }}
    where {{ meterline.new_batches_filter('batch_loaded_at') }}

),

invalid_values as (

    select distinct record_id
    from readings
    where is_value_invalid

),

checked as (

    select
        parsed.*,
        accounts.account_id is not null as is_known_account,
        invalid_values.record_id is not null as has_invalid_value
    from parsed
    left join accounts
        on parsed.account_id = accounts.account_id
    left join invalid_values
        on parsed.record_id = invalid_values.record_id

),

reasoned as (

    select
        *,
        -- the first reason that applies, in a fixed order
        case
            -- a file that could not be read to its end, or changed after it was loaded
            when read_problem in ('unreadable_file', 'changed_file') then read_problem
            -- a line that is not UTF-8 or is too long (kept whole, never parsed)
            when read_problem is not null then 'malformed_record'
            when not is_json_object or not is_properties_valid then 'malformed_record'
            when event_id is null then 'missing_event_id'
            when account_id is null then 'missing_account_id'
            when event_type is null then 'missing_event_type'
            when occurred_at is null then 'invalid_timestamp'
            when occurred_at > {{ dbt.dateadd(
                'hour',
                meterline.future_tolerance_hours(),
                dbt.dateadd('day', 1, meterline.as_of_literal())
            ) }} then 'future_timestamp'
            when not is_known_account then 'unknown_account'
            when has_invalid_value then 'invalid_value'
        end as quarantine_reason
    from checked

),

rendered as (

    select
        reasoned.*,
        -- the landed text, kept for quarantined records (rendered for typed Parquet rows)
        case
            when reasoned.quarantine_reason is not null then {{ meterline.landed_record_text('reasoned') }}
        end as landed_text
    from reasoned

),

final as (

    select
        -- ids
        record_id,
        source,
        event_id,
        account_id,
        event_type,

        -- landing
        file_name,
        line_number,
        file_landed_at,
        batch_loaded_at,
        landed_text as raw_record,

        -- event
        occurred_at_raw,
        occurred_at,
        properties,
        payload_hash,

        -- validation
        quarantine_reason,
        read_detail as quarantine_detail,
        quarantine_reason is null as is_valid
    from rendered

)

select * from final

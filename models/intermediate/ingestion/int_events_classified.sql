{{ config(
    materialized=meterline.event_path_materialization(),
    incremental_strategy='append',
    on_schema_change='append_new_columns',
) }}

{#- The one write of every landed record after staging: validation, dedupe and the billing
    calendar in one statement (DECISIONLOG "One write per record"). The steps stay
    selectable as views over this table: int_events_validated, int_events_deduplicated,
    int_events_accepted.

    Incremental (append): a record is classified once, in the run that loads it, against
    the seeds and as_of of that run, and the outcome is kept (DECISIONLOG "Validation is
    decided once", "Dedupe horizon: 35 days"). Nearly every key has one copy and no earlier
    copy: it is accepted as it is. Only the contested keys (several copies in the new
    batches, or a copy taken in earlier) are ranked, on the few columns ranking needs.

    Three reads of the new records, none held: the key pass counts the copies of every dedupe
    key (the ids only, no JSON beyond them); the contested pass takes the records of the keys
    with several copies or a copy taken in earlier (a few per cent) and ranks their valid copies
    on the columns ranking needs; the record pass computes every column of every record and
    looks it up in that small result. A single pass would have to hold every new record until
    the keys are counted; validating and hashing every record in the key pass too cost a
    quarter of the model (DECISIONLOG "One write per record"). -#}

{#- the batches not classified yet (one watermark query, shared by the reads below) -#}
{%- set new_batches = meterline.new_batches_filter('batch_loaded_at') %}

{#- the quarantine reason: the first that applies, in a fixed order (contested and record pass) -#}
{%- set quarantine_reason -%}
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
    end
{%- endset %}

with

-- the new records, read once by each pass (a constant filter, pushed down to staging; each
-- pass selects the columns it needs, so the key pass computes the ids only)
key_pass_records as (

    select * from {{ ref('int_events_parsed') }}
    where {{ new_batches }}

),

id_pass_records as (

    select * from {{ ref('int_events_parsed') }}
    where {{ new_batches }}

),

record_pass_records as (

    select * from {{ ref('int_events_parsed') }}
    where {{ new_batches }}

),

readings as (

    select * from {{ ref('int_event_meter_readings') }}
    where {{ new_batches }}

),

accounts as (

    select * from {{ ref('stg_accounts') }}

),

contracts as (

    select * from {{ ref('stg_contracts') }}

),

invalid_values as (

    select distinct record_id
    from readings
    where is_value_invalid

),

-- key pass: the copies of every dedupe key; the contested copies ranked -----------------------

key_copies as (

    -- every record with an event id, valid or not: a key with one copy in all (and none taken
    -- in earlier) is uncontested whatever its validity; the others are looked at closely below
    select
        source,
        event_id,
        count(*) as copies
    from key_pass_records
    where event_id is not null
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
        where
            earlier.is_valid
            and earlier.occurred_at >= {{ dbt.dateadd('day', -1 * meterline.dedupe_horizon_days(), meterline.as_of_literal()) }}
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

    -- keys with several copies in the new batches (valid or not), or with a copy taken in earlier
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

contested_ids as (

    select id_pass_records.record_id
    from id_pass_records
    inner join contested_keys
        on
            id_pass_records.source = contested_keys.source
            and id_pass_records.event_id = contested_keys.event_id

),

contested_records as (

    -- looked up by record_id, a column staging holds: the lookup runs before parsing, which
    -- then reads these records only
    select * from {{ ref('int_events_parsed') }}
    where
        {{ new_batches }}
        and record_id in (select contested_ids.record_id from contested_ids)

),

contested_checked as (

    select
        contested_records.*,
        accounts.account_id is not null as is_known_account,
        invalid_values.record_id is not null as has_invalid_value
    from contested_records
    left join accounts
        on contested_records.account_id = accounts.account_id
    left join invalid_values
        on contested_records.record_id = invalid_values.record_id

),

contested as (

    -- the valid copies of contested keys, on the columns ranking and classifying need
    -- (quarantined records take no part in dedupe: a corrected resend with the same id counts)
    select
        record_id,
        source,
        event_id,
        file_name,
        line_number,
        file_landed_at,
        payload_hash
    from contested_checked
    where {{ quarantine_reason }} is null

),

{#- the landing order of a contested key's new copies -#}
{%- set landing_order -%}
    partition by contested.source, contested.event_id
    order by contested.file_landed_at, contested.file_name, contested.line_number
{%- endset %}

ranked as (

    -- the copy that counts: one taken in earlier (inside the horizon), else the first new one
    select
        contested.*,
        coalesce(earlier_winners.earlier_copy_count, 0) + row_number() over ({{ landing_order }}) as copy_number,
        coalesce(
            earlier_winners.winning_record_id, first_value(contested.record_id) over ({{ landing_order }})
        ) as winning_record_id,
        coalesce(
            earlier_winners.winning_file_name, first_value(contested.file_name) over ({{ landing_order }})
        ) as winning_file_name,
        coalesce(
            earlier_winners.winning_line_number, first_value(contested.line_number) over ({{ landing_order }})
        ) as winning_line_number,
        coalesce(
            earlier_winners.winning_payload_hash, first_value(contested.payload_hash) over ({{ landing_order }})
        ) as winning_payload_hash
    from contested
    left join earlier_winners
        on
            contested.source = earlier_winners.source
            and contested.event_id = earlier_winners.event_id

),

contested_outcomes as (

    -- read from ranked alone (no join), so the planner sees it as small
    select
        record_id,
        copy_number,
        winning_record_id,
        winning_file_name,
        winning_line_number,
        case
            when copy_number = 1 then 'accepted'
            when payload_hash = winning_payload_hash then 'duplicate'
            else 'conflict'
        end as dedupe_status
    from ranked

),

-- record pass: every column of every new record -------------------------------------------

checked as (

    select
        record_pass_records.*,
        accounts.account_id is not null as is_known_account,
        accounts.billing_timezone,
        invalid_values.record_id is not null as has_invalid_value
    from record_pass_records
    left join accounts
        on record_pass_records.account_id = accounts.account_id
    left join invalid_values
        on record_pass_records.record_id = invalid_values.record_id

),

reasoned as (

    select
        *,
        {{ quarantine_reason }} as quarantine_reason
    from checked

),

-- the billing calendar of valid records (kept for the accepted ones, below)
localized as (

    select
        *,
        case
            when quarantine_reason is null
                then {{ meterline.utc_to_local('occurred_at', 'billing_timezone') }}
        end as occurred_local_at
    from reasoned

),

dated as (

    select
        *,
        cast(occurred_local_at as date) as usage_date
    from localized

),

with_contract as (

    select
        dated.*,
        contracts.contract_id,
        contracts.plan_id,
        -- the contract's billing cadence; without a contract, v1's calendar months
        case
            when contracts.contract_id is null then {{ meterline.default_bill_anchor() }}
            else contracts.bill_anchor_on
        end as bill_anchor_on,
        case when contracts.contract_id is null then 1 else contracts.period_months end as period_months
    from dated
    left join contracts
        on
            dated.account_id = contracts.account_id
            and dated.usage_date >= contracts.starts_on
            and (contracts.ends_on is null or dated.usage_date < contracts.ends_on)

),

-- the billing period containing the event's day (macros/billing/billing_periods.sql)
indexed as (

    select
        *,
        {{ meterline.billing_period_index('usage_date', 'bill_anchor_on', 'period_months') }} as period_index
    from with_contract

),

-- the dedupe outcome: a contested copy's from the key pass; an uncontested valid key's only
-- copy is its winner (joined last: the small outcome is looked up, the records never held)
deduplicated as (

    select
        indexed.*,
        case
            when indexed.quarantine_reason is null then coalesce(contested_outcomes.copy_number, 1)
        end as copy_number,
        case
            when indexed.quarantine_reason is null
                then coalesce(contested_outcomes.winning_record_id, indexed.record_id)
        end as winning_record_id,
        case
            when indexed.quarantine_reason is null
                then coalesce(contested_outcomes.winning_file_name, indexed.file_name)
        end as winning_file_name,
        case
            when indexed.quarantine_reason is null
                then coalesce(contested_outcomes.winning_line_number, indexed.line_number)
        end as winning_line_number,
        case
            when indexed.quarantine_reason is null then coalesce(contested_outcomes.dedupe_status, 'accepted')
        end as dedupe_status
    from indexed
    left join contested_outcomes
        on indexed.record_id = contested_outcomes.record_id

),

rendered as (

    select
        deduplicated.*,
        -- the landed text, kept for quarantined records and duplicate and conflict copies
        -- (rendered for typed Parquet rows)
        case
            when deduplicated.quarantine_reason is not null or deduplicated.dedupe_status <> 'accepted'
                then {{ meterline.landed_record_text('deduplicated') }}
        end as landed_text
    from deduplicated

),

final as (

    select
        -- ids
        record_id,
        source,
        event_id,
        account_id,
        event_type,
        case when dedupe_status = 'accepted' then contract_id end as contract_id,
        case when dedupe_status = 'accepted' then plan_id end as plan_id,

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
        quarantine_reason is null as is_valid,

        -- dedupe (valid records)
        copy_number,
        winning_record_id,
        winning_file_name,
        winning_line_number,
        dedupe_status,

        -- billing calendar (accepted events; dates in the billing time zone)
        case when dedupe_status = 'accepted' then billing_timezone end as billing_timezone,
        case when dedupe_status = 'accepted' then occurred_local_at end as occurred_local_at,
        case when dedupe_status = 'accepted' then usage_date end as usage_date,
        case
            when dedupe_status = 'accepted' and usage_date is not null
                then {{ meterline.billing_period_start('bill_anchor_on', 'period_months', 'period_index') }}
        end as period_start,
        case
            when dedupe_status = 'accepted' and usage_date is not null
                then {{ meterline.billing_period_start('bill_anchor_on', 'period_months', 'period_index + 1') }}
        end as period_end
    from rendered

)

select * from final

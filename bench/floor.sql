-- The bare-SQL floor: what a user would write by hand in DuckDB instead of Meterline.
--
-- Same job, minimal rules: read every Parquet landing file, keep the first copy of each
-- (source, event_id) by file name then row, aggregate per account, meter and calendar month
-- (UTC), rate every meter at one per-unit price, and total per account and month.
-- No quarantine, no audit tables, no contracts, timezones, tiers, dimensions or credits.
--
-- bench/floor.py replaces __LANDING_GLOB__ with the quoted glob of the landing files and runs
-- the statements in order into a fresh database file.

set TimeZone = 'UTC';

-- One row per account, meter and month.
create or replace table floor_usage_monthly as
with landed as (
    select
        coalesce(source, 'default') as source,
        event_id,
        account_id,
        event_type,
        properties,
        occurred_at,
        filename,
        file_row_number
    from read_parquet(__LANDING_GLOB__, filename = true, file_row_number = true)
),

-- The first landed copy of each (source, event_id).
accepted as (
    select
        account_id,
        event_type,
        properties,
        cast(date_trunc('month', cast(occurred_at as timestamptz)) as date) as period_start
    from landed
    qualify row_number() over (
        partition by source, event_id
        order by filename, file_row_number
    ) = 1
),

per_type as (
    select
        account_id,
        event_type,
        period_start,
        count(*) as event_count,
        sum(cast(json_extract_string(properties, '$.tokens') as decimal(22, 9)))
            filter (where event_type = 'llm_completion') as tokens,
        max(cast(json_extract_string(properties, '$.gb') as decimal(22, 9)))
            filter (where event_type = 'storage_snapshot') as gb,
        count(distinct json_extract_string(properties, '$.user_id'))
            filter (where event_type = 'user_login') as users
    from accepted
    where event_type in ('api_request', 'llm_completion', 'storage_snapshot', 'user_login')
    group by all
)

select
    account_id,
    case event_type
        when 'api_request' then 'api_requests'
        when 'llm_completion' then 'llm_tokens'
        when 'storage_snapshot' then 'storage_gb'
        when 'user_login' then 'active_users'
    end as meter_id,
    period_start,
    event_count,
    cast(case event_type
        when 'api_request' then event_count
        when 'llm_completion' then tokens
        when 'storage_snapshot' then gb
        when 'user_login' then users
    end as decimal(22, 9)) as quantity
from per_type;

-- One row per account, meter and month, rated at one unit price per meter.
create or replace table floor_rated_usage as
with prices (meter_id, unit_amount) as (
    values
        ('api_requests', cast(0.001 as decimal(15, 9))),
        ('llm_tokens', cast(0.000002 as decimal(15, 9))),
        ('storage_gb', cast(0.25 as decimal(15, 9))),
        ('active_users', cast(0.5 as decimal(15, 9)))
)
select
    usage.*,
    prices.unit_amount,
    cast(usage.quantity * prices.unit_amount as decimal(38, 18)) as amount
from floor_usage_monthly as usage
inner join prices using (meter_id);

-- One row per account and month.
create or replace table floor_invoices as
select
    account_id,
    period_start,
    count(*) as line_count,
    sum(round(amount, 2)) as total
from floor_rated_usage
group by all;

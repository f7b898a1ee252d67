-- The bare-SQL floor in Spark SQL: bench/floor.sql, as a user would write it by hand for Spark.
--
-- Same job, same rules and the same bill as bench/floor.sql: read every Parquet landing file,
-- keep the first copy of each (source, event_id) by file name then row, aggregate per account,
-- meter and calendar month (UTC: the session time zone), rate every meter at one per-unit price,
-- and total per account and month, as Parquet tables in a fresh warehouse directory.
--
-- bench/floor_spark.py replaces __LANDING_DIR__ with the quoted landing directory and runs the
-- statements in order, in a Spark session with the dbt profile's settings.

-- Every Parquet file under the landing directory (an external table: a table, unlike a view,
-- keeps the hidden _metadata column with each row's file path and position in its file).
create table landed_files
using parquet
options (path __LANDING_DIR__, recursiveFileLookup 'true', pathGlobFilter '*.parquet');

-- One row per account, meter and month.
create table floor_usage_monthly using parquet as
with landed as (
    select
        coalesce(source, 'default') as source,
        event_id,
        account_id,
        event_type,
        properties,
        occurred_at,
        _metadata.file_path as filename,
        _metadata.row_index as file_row_number
    from landed_files
),

-- The first landed copy of each (source, event_id).
ranked as (
    select
        account_id,
        event_type,
        properties,
        cast(date_trunc('MONTH', cast(occurred_at as timestamp)) as date) as period_start,
        row_number() over (
            partition by source, event_id
            order by filename, file_row_number
        ) as copy_number
    from landed
),

per_type as (
    select
        account_id,
        event_type,
        period_start,
        count(*) as event_count,
        sum(cast(get_json_object(properties, '$.tokens') as decimal(22, 9)))
            filter (where event_type = 'llm_completion') as tokens,
        max(cast(get_json_object(properties, '$.gb') as decimal(22, 9)))
            filter (where event_type = 'storage_snapshot') as gb,
        count(distinct get_json_object(properties, '$.user_id'))
            filter (where event_type = 'user_login') as users
    from ranked
    where copy_number = 1
        and event_type in ('api_request', 'llm_completion', 'storage_snapshot', 'user_login')
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
create table floor_rated_usage using parquet as
with prices as (
    select * from values
        ('api_requests', cast(0.001 as decimal(15, 9))),
        ('llm_tokens', cast(0.000002 as decimal(15, 9))),
        ('storage_gb', cast(0.25 as decimal(15, 9))),
        ('active_users', cast(0.5 as decimal(15, 9)))
        as prices (meter_id, unit_amount)
)
select
    usage.account_id,
    usage.meter_id,
    usage.period_start,
    usage.event_count,
    usage.quantity,
    prices.unit_amount,
    cast(usage.quantity * prices.unit_amount as decimal(38, 18)) as amount
from floor_usage_monthly as usage
inner join prices using (meter_id);

-- One row per account and month.
create table floor_invoices using parquet as
select
    account_id,
    period_start,
    count(*) as line_count,
    sum(round(amount, 2)) as total
from floor_rated_usage
group by all;

with

source as (

    select * from {{ ref('accounts') }}

),

known_timezones as (

    {{ meterline.known_timezone_names() }}

),

renamed as (

    select
        -- ids
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(stripe_customer_id as {{ dbt.type_string() }}) as stripe_customer_id,

        -- text
        cast(account_name as {{ dbt.type_string() }}) as account_name,
        cast(billing_timezone as {{ dbt.type_string() }}) as configured_billing_timezone
    from source

),

resolved as (

    select
        renamed.account_id,
        renamed.stripe_customer_id,
        renamed.account_name,
        -- the zone as the engine knows it (exact spelling; empty = UTC); null for a zone it
        -- does not know: the account's events then get no local date and stay unrated
        -- (audit_unrated_events, unknown_billing_timezone), never billed in another zone
        cast(known_timezones.timezone_name as {{ dbt.type_string() }}) as billing_timezone,
        renamed.configured_billing_timezone
    from renamed
    left join known_timezones
        on coalesce(renamed.configured_billing_timezone, 'UTC') = known_timezones.timezone_name

)

select * from resolved

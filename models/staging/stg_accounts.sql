{#- columns added in v1.1 (data contract 7) are optional in the seed file -#}
{%- set seed_columns = meterline.seed_column_names(ref('accounts')) -%}

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
        cast(
            {{ meterline.optional_seed_column(seed_columns, 'parent_account_id', dbt.type_string()) }}
            as {{ dbt.type_string() }}
        ) as parent_account_id,

        -- text
        cast(account_name as {{ dbt.type_string() }}) as account_name,
        cast(billing_timezone as {{ dbt.type_string() }}) as configured_billing_timezone,
        cast(
            {{ meterline.optional_seed_column(seed_columns, 'bill_to', dbt.type_string()) }}
            as {{ dbt.type_string() }}
        ) as configured_bill_to
    from source

),

resolved as (

    select
        renamed.account_id,
        renamed.stripe_customer_id,
        renamed.parent_account_id,
        renamed.account_name,
        -- the zone as the engine knows it (exact spelling; empty = UTC); null for a zone it
        -- does not know: the account's events then get no local date and stay unrated
        -- (audit_unrated_events, unknown_billing_timezone), never billed in another zone
        cast(known_timezones.timezone_name as {{ dbt.type_string() }}) as billing_timezone,
        renamed.configured_billing_timezone,
        -- self or parent (empty = self); any other text is kept as written and the seed's
        -- test names it
        cast(
            case
                when renamed.configured_bill_to is null then 'self'
                when lower(renamed.configured_bill_to) in ('self', 'parent') then lower(renamed.configured_bill_to)
                else renamed.configured_bill_to
            end
            as {{ dbt.type_string() }}
        ) as bill_to
    from renamed
    left join known_timezones
        on coalesce(renamed.configured_billing_timezone, 'UTC') = known_timezones.timezone_name

),

final as (

    select
        -- ids
        account_id,
        stripe_customer_id,
        parent_account_id,
        -- the account whose invoice carries this account's lines (data contract 7.4)
        cast(
            case
                when bill_to = 'parent' and parent_account_id is not null then parent_account_id
                else account_id
            end
            as {{ dbt.type_string() }}
        ) as bill_to_account_id,

        -- text
        account_name,
        billing_timezone,
        configured_billing_timezone,
        bill_to
    from resolved

)

select * from final

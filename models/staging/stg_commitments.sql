with

source as (

    select * from {{ ref('commitments') }}

),

contracts as (

    select * from {{ ref('stg_contracts') }}

),

plans as (

    select * from {{ ref('stg_plans') }}

),

renamed as (

    select
        -- ids
        cast(commitment_id as {{ dbt.type_string() }}) as commitment_id,
        cast(contract_id as {{ dbt.type_string() }}) as contract_id,

        -- definition
        cast(lower(commitment_type) as {{ dbt.type_string() }}) as commitment_type,
        cast(lower(fee_schedule) as {{ dbt.type_string() }}) as configured_fee_schedule,
        cast(lower(applies_to) as {{ dbt.type_string() }}) as configured_applies_to,

        -- numerics
        -- a value the engine cannot hold exactly is null here; the seed's test names it
        {{ meterline.seed_value('amount', 'money') }} as amount,
        overage_surcharge_percent is null as is_surcharge_empty,
        {{ meterline.seed_value('overage_surcharge_percent', 'percent') }} as configured_surcharge_percent,

        -- dates
        cast(starts_on as date) as starts_on,
        cast(ends_on as date) as ends_on
    from source

),

defaulted as (

    select
        commitment_id,
        contract_id,
        commitment_type,
        amount,
        starts_on,
        ends_on,
        -- prepaid only (empty = upfront); postpaid has no fee
        cast(
            case when commitment_type = 'prepaid' then coalesce(configured_fee_schedule, 'upfront') end
            as {{ dbt.type_string() }}
        ) as fee_schedule,
        -- empty = 0; a value that does not fit stays null (never read as 0)
        cast(
            case when is_surcharge_empty then 0 else configured_surcharge_percent end
            as {{ meterline.seed_value_type('percent') }}
        ) as overage_surcharge_percent,
        cast(coalesce(configured_applies_to, 'usage') as {{ dbt.type_string() }}) as applies_to
    from renamed

),

final as (

    select
        -- ids
        defaulted.commitment_id,
        defaulted.contract_id,
        contracts.account_id,

        -- definition
        defaulted.commitment_type,
        defaulted.fee_schedule,
        defaulted.applies_to,
        plans.currency,

        -- numerics
        defaulted.amount,
        defaulted.overage_surcharge_percent,

        -- dates
        defaulted.starts_on,
        defaulted.ends_on
    from defaulted
    left join contracts
        on defaulted.contract_id = contracts.contract_id
    left join plans
        on contracts.plan_id = plans.plan_id

)

select * from final

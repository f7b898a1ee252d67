{# No two contracts of one account are in force on the same day. #}
{% test contracts_do_not_overlap(model) %}

with

contracts as (

    select * from {{ model }}

),

overlapping as (

    select
        earlier.account_id,
        earlier.contract_id as contract_id,
        later.contract_id as overlapping_contract_id
    from contracts as earlier
    inner join contracts as later
        on
            earlier.account_id = later.account_id
            and earlier.contract_id < later.contract_id
            and earlier.starts_on < coalesce(later.ends_on, cast('9999-12-31' as date))
            and later.starts_on < coalesce(earlier.ends_on, cast('9999-12-31' as date))

)

select * from overlapping

{% endtest %}

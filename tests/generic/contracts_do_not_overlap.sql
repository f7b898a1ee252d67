{#
    No two rows of one `within` group are in force on the same day: by default no two
    contracts of one account; with within=contract_id, id_column=commitment_id no two
    commitment terms of one contract. Each failure names the group and both ids; ends_on null
    is open-ended.
#}
{% test contracts_do_not_overlap(model, within='account_id', id_column='contract_id') %}

with

terms as (

    select * from {{ model }}

),

overlapping as (

    select
        earlier.{{ within }},
        earlier.{{ id_column }} as {{ id_column }},
        later.{{ id_column }} as overlapping_{{ id_column }}
    from terms as earlier
    inner join terms as later
        on
            earlier.{{ within }} = later.{{ within }}
            and earlier.{{ id_column }} < later.{{ id_column }}
            and earlier.starts_on < coalesce(later.ends_on, cast('9999-12-31' as date))
            and later.starts_on < coalesce(earlier.ends_on, cast('9999-12-31' as date))

)

select * from overlapping

{% endtest %}

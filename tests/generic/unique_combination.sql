{#
    The combination of `columns` is unique across the model's rows. Nulls count as a
    value (two rows that are both null in a column and equal elsewhere are a duplicate).
#}
{% test unique_combination(model, columns) %}

with

grouped as (

    select
        {{ columns | join(', ') }},
        count(*) as row_count
    from {{ model }}
    group by {{ columns | join(', ') }}

)

select * from grouped
where row_count > 1

{% endtest %}

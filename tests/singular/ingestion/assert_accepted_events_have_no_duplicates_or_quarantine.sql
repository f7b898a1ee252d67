-- An accepted event is neither quarantined nor a losing copy, and every valid record is
-- either accepted or listed in audit_duplicate_events. Returns offending record ids.

with

accepted as (

    select record_id from {{ ref('int_events_accepted') }}

),

quarantined as (

    select record_id from {{ ref('audit_quarantined_events') }}

),

losers as (

    select record_id from {{ ref('audit_duplicate_events') }}

),

overlap as (

    select accepted.record_id
    from accepted
    inner join quarantined on accepted.record_id = quarantined.record_id
    union all
    select accepted.record_id
    from accepted
    inner join losers on accepted.record_id = losers.record_id

)

select * from overlap

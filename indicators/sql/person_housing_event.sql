-- person_housing_event: each linked person's housing events up to the as-of date.
-- grain: source_record_id
-- SPEC section 1, housing feed: one event for one household member.
with final as (
    select
        l.person_id,
        h.household_ref,
        h.event_date,
        h.event_type,
        h.amount,
        h.source_record_id
    from stg_housing h
    join person_link l on l.source = 'housing' and l.source_record_id = h.source_record_id
    where h.event_date <= $as_of
)
select * from final

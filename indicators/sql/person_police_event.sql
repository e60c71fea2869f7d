-- person_police_event: each linked person's part in each police event up to the as-of date.
-- grain: person_id, incident_id, event_type
-- SPEC section 1, police feed. One incident re-sent in a later extract counts once (the
-- latest load wins), so monthly extracts that overlap do not double incidents.
with linked as (
    select
        l.person_id,
        p.incident_id,
        p.event_date,
        p.event_type,
        coalesce(p.severe_offence, false) as severe_offence,
        p.source_record_id,
        b.load_seq,
        p.row_number
    from stg_police p
    join person_link l on l.source = 'police' and l.source_record_id = p.source_record_id
    join load_batch b using (batch_id)
    where p.event_date <= $as_of
),
final as (
    select person_id, incident_id, event_date, event_type, severe_offence, source_record_id
    from linked
    qualify row_number() over (
        partition by person_id, incident_id, event_type order by load_seq desc, row_number desc
    ) = 1
)
select * from final

-- member_police_event: police events of case members inside the window needs are read in.
-- grain: case_id, person_id, incident_id, event_type
-- SPEC section 2: police rows count from $police_lookback_months before the case opened to
-- its closure (or the as-of date while open). Age is taken at the event, so the adult /
-- young person split (CRI1 / CRI3, SAF for children) follows the person's age then.
with final as (
    select
        w.case_id,
        w.person_id,
        w.opened_date,
        e.incident_id,
        e.event_date,
        e.event_type,
        e.severe_offence,
        cast(date_part('year', age(e.event_date, w.dob)) as integer) as age_at_event,
        e.source_record_id
    from member_window w
    join person_police_event e using (person_id)
    where e.event_date between w.police_window_start and w.window_end
)
select * from final

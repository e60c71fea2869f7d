-- need_hou2: HOU2, a family threatened with eviction, found in housing data.
-- grain: case_id, person_id
-- Source: 001_c8a4eb03005f1d3d.txt, "Secure housing", row 2 ("threatened with eviction": a notice served).
-- SPEC section 2: housing events of a member while the case was open (opening date to
-- closure, or the as-of date while open); identified on the first qualifying event.
with qualifying as (
    select w.case_id, w.person_id, e.event_date, e.amount, e.source_record_id
    from member_window w
    join person_housing_event e using (person_id)
    where e.event_type = 'notice_served'
      and e.event_date between w.opened_date and w.window_end
),
final as (
    select
        case_id,
        person_id,
        'HOU2' as criterion,
        min(event_date) as identified_date,
        'data' as basis,
        'housing: ' || count(*) || ' notice served(s) from ' || strftime(min(event_date), '%Y-%m-%d')
            as identified_by,
        list(source_record_id order by source_record_id) as source_record_ids
    from qualifying
    group by case_id, person_id
)
select * from final

-- need_hou1: HOU1, a family in temporary accommodation at risk of losing it, found in housing data.
-- grain: case_id, person_id
-- Source: 001_c8a4eb03005f1d3d.txt, "Secure housing", row 1.
-- SPEC section 2: housing events of a member while the case was open (opening date to
-- closure, or the as-of date while open); identified on the first qualifying event.
with qualifying as (
    select w.case_id, w.person_id, e.event_date, e.amount, e.source_record_id
    from member_window w
    join person_housing_event e using (person_id)
    where e.event_type = 'ta_at_risk'
      and e.event_date between w.opened_date and w.window_end
),
final as (
    select
        case_id,
        person_id,
        'HOU1' as criterion,
        min(event_date) as identified_date,
        'data' as basis,
        'housing: ' || count(*) || ' TA at risk event(s) from ' || strftime(min(event_date), '%Y-%m-%d')
            as identified_by,
        list(source_record_id order by source_record_id) as source_record_ids
    from qualifying
    group by case_id, person_id
)
select * from final

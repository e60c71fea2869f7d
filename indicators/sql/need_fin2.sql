-- need_fin2: FIN2, a family needing support with debt (rent arrears), found in housing data.
-- grain: case_id, person_id
-- Source: 001_c8a4eb03005f1d3d.txt, "Financial stability", row 2 ("unmanageable debt (e.g., rent arrears)").
-- SPEC section 2: housing events of a member while the case was open (opening date to
-- closure, or the as-of date while open); identified on the first qualifying event.
with qualifying as (
    select w.case_id, w.person_id, e.event_date, e.amount, e.source_record_id
    from member_window w
    join person_housing_event e using (person_id)
    where e.event_type = 'rent_arrears'
      and e.event_date between w.opened_date and w.window_end
),
final as (
    select
        case_id,
        person_id,
        'FIN2' as criterion,
        min(event_date) as identified_date,
        'data' as basis,
        'housing: ' || count(*) || ' rent arrears event(s) from ' || strftime(min(event_date), '%Y-%m-%d')
            as identified_by,
        list(source_record_id order by source_record_id) as source_record_ids
    from qualifying
    group by case_id, person_id
)
select * from final

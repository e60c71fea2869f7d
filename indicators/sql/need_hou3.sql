-- need_hou3: HOU3, a young person aged 16/17 excluded from the family home, found in housing data.
-- grain: case_id, person_id
-- Source: 001_c8a4eb03005f1d3d.txt, "Secure housing", row 3.
-- SPEC section 2: housing events of a member while the case was open (opening date to
-- closure, or the as-of date while open); identified on the first qualifying event.
with qualifying as (
    select w.case_id, w.person_id, e.event_date, e.amount, e.source_record_id
    from member_window w
    join person_housing_event e using (person_id)
    where e.event_type = 'excluded_from_home'
      and e.event_date between w.opened_date and w.window_end
      and cast(date_part('year', age(e.event_date, w.dob)) as integer)
          between $excluded_from_home_age_min and $excluded_from_home_age_max
),
final as (
    select
        case_id,
        person_id,
        'HOU3' as criterion,
        min(event_date) as identified_date,
        'data' as basis,
        'housing: ' || count(*) || ' exclusion from home(s) from ' || strftime(min(event_date), '%Y-%m-%d')
            as identified_by,
        list(source_record_id order by source_record_id) as source_record_ids
    from qualifying
    group by case_id, person_id
)
select * from final

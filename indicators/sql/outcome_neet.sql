-- outcome_neet: FIN3, eet at the case's closure.
-- grain: case_id, criterion, need_person
-- Source: 001_c8a4eb03005f1d3d.txt, "Financial stability" row 3 (NEET data, CCIS: in education, employment or training).
-- Read at closure (issue 23 item 13): 000_4ab8a62d9effddd8.txt, "All outcomes must be
-- achieved and evidenced at case closure", and 001 "Young person is in education, employment or training": the person's
-- status in their latest month after the identification date and no later than the
-- closure date (plus $outcome_grace_days; the as-of date while the case is open) must be
-- eet; a eet month earlier in the case followed by a later month of another status
-- is not "eet at closure". A person with no row after identification has no such month.
-- A need recorded for the whole family is met when any member is eet at closure. The
-- recorded outcome it stands beside ("or a recorded outcome": progress to work, a
-- practitioner's confirmation) is applied in family_need_outcome.sql (plan outcome_logic).
with feed as (
    select has_data from feed_coverage where feed = 'neet'
),
per_person as (
    -- the person's status in the latest month after identification and by closure
    select
        s.case_id,
        s.criterion,
        s.need_person,
        s.person_id,
        s.identified_date,
        max(m.month) as last_month,
        arg_max(m.status, m.month) as status_at_closure,
        arg_max(m.source_record_id, m.month) as source_record_id
    from need_subject s
    left join measure_neet_month m
      on m.person_id = s.person_id and m.month > s.identified_date
     and m.month <= coalesce(s.closed_date + to_days($outcome_grace_days), $as_of::date)
    where s.criterion = 'FIN3'
    group by all
),
final as (
    select
        r.case_id,
        r.criterion,
        r.need_person,
        any_value(f.has_data) as test_ran,
        case when r.need_person = '' then coalesce(bool_or(r.status_at_closure = 'eet'), false)
             else coalesce(bool_and(r.status_at_closure = 'eet'), false) end as met,
        max(r.last_month) filter (where r.status_at_closure = 'eet') as met_date,
        string_agg(coalesce(r.status_at_closure || ' in ' || strftime(r.last_month, '%Y-%m')
                            || ' (the latest month to closure)',
                            'no month after identification to closure'), '; '
                   order by r.person_id)
            || ' after identification on ' || strftime(min(r.identified_date), '%Y-%m-%d') as test,
        list_sort(list(r.source_record_id) filter (where r.source_record_id is not null))
            as source_record_ids
    from per_person r
    cross join feed f
    group by r.case_id, r.criterion, r.need_person
)
select * from final

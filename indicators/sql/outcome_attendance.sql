-- outcome_attendance: the EDU1 and EDU2 outcome tests over the latest 2 consecutive terms.
-- grain: case_id, criterion, need_person
-- Source: 001_c8a4eb03005f1d3d.txt, "Getting a good education": EDU1 is met when every
-- child in the family averages >= $attendance_good over 2 consecutive terms; EDU2 when the
-- child improves by >= $attendance_relative_improvement relative to the identifying terms
-- and averages >= $attendance_very_poor, authorised and unauthorised absence both counted.
-- The terms are the latest 2 completed before the as-of date, each child judged on the
-- terms of compulsory school age among them (child_attendance_latest, SPEC sections 3-4).
-- A child without rows for them has no data: EDU1 is then judged on the other children and
-- needs a recorded outcome as well (`partial`); with no child's data it falls back to one.
with family_latest as (
    -- each child is judged on their own rows: a sibling without attendance for the terms
    -- has no data, which does not switch the test off for the others (issue 23 item 9)
    select
        case_id,
        count(*) filter (where has_data) as children_with_data,
        count(*) filter (where not has_data) as children_without_data,
        bool_and(attendance_rate >= $attendance_good) filter (where has_data)
            as all_children_good,
        string_agg(coalesce(person_id, '?' || source_person_id), ', '
                   order by coalesce(person_id, '?' || source_person_id))
            filter (where not has_data) as children_without,
        max(term_end) as term_end,
        string_agg(distinct terms, '; ' order by terms) as terms,
        list_sort(flatten(list(source_record_ids))) as source_record_ids
    from child_attendance_latest
    group by case_id
),
edu1 as (
    select
        n.case_id,
        n.criterion,
        n.person_id as need_person,
        coalesce(f.children_with_data > 0, false) as test_ran,
        coalesce(f.children_without_data > 0, false) as partial,
        coalesce(f.all_children_good, false) as met,
        f.term_end as met_date,
        'every child of compulsory school age >= ' || printf('%.0f', 100 * $attendance_good)
            || '% over ' || coalesce(f.terms, 'no terms')
            || case when f.children_without_data > 0
                    then '; no attendance for the latest 2 terms of child(ren) '
                         || f.children_without || ' (no data: a recorded outcome is needed)'
                    else '' end as test,
        f.source_record_ids
    from need_attendance n
    left join family_latest f using (case_id)
    where n.criterion = 'EDU1'
),
edu2 as (
    select
        n.case_id,
        n.criterion,
        n.person_id as need_person,
        coalesce(c.has_data, false) as test_ran,
        false as partial,
        coalesce(c.attendance_rate_all >= $attendance_very_poor
            and c.attendance_rate_all >= n.baseline_rate * (1 + $attendance_relative_improvement),
            false) as met,
        c.term_end as met_date,
        printf('%.1f', 100 * n.baseline_rate) || '% -> '
            || coalesce(printf('%.1f', 100 * c.attendance_rate_all) || '% over ' || c.terms,
                        'no data for the latest terms') as test,
        c.source_record_ids
    from need_attendance n
    left join (
        -- one row per linked child, should the case list one person twice
        select * from child_attendance_latest
        qualify row_number() over (partition by case_id, person_id order by source_person_id) = 1
    ) c on c.case_id = n.case_id and c.person_id = n.person_id
    where n.criterion = 'EDU2'
)
select * from edu1
union all
select * from edu2

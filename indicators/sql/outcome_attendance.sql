-- outcome_attendance: the EDU1 and EDU2 outcome tests over the latest 2 consecutive terms.
-- grain: case_id, criterion, need_person
-- Source: 001_c8a4eb03005f1d3d.txt, "Getting a good education": EDU1 is met when every
-- school-age child in the family averages >= $attendance_good over 2 consecutive terms;
-- EDU2 when the child improves by >= $attendance_relative_improvement relative to the
-- identifying terms and averages >= $attendance_very_poor. The terms are the latest pair
-- the attendance feed holds before the as-of date (SPEC section 3).
with latest as (
    select max(term_seq) as term_seq from measure_attendance_term
),
school_age_child as (
    select m.case_id, m.person_id
    from family_member m, latest
    where m.role = 'child'
      and date_diff('year', m.dob, make_date(latest.term_seq // 3, 8, 31))
          - case when strftime(m.dob, '%m-%d') > '08-31' then 1 else 0 end
          between $school_age_min and $school_age_max
),
child_latest as (
    select c.case_id, c.person_id, p.attendance_rate, p.terms, p.term_end, p.source_record_ids
    from school_age_child c
    cross join latest
    left join measure_attendance_pair p
      on p.person_id = c.person_id and p.term_seq = latest.term_seq
),
family_latest as (
    select
        case_id,
        count(*) filter (where attendance_rate is null) as children_without_data,
        bool_and(attendance_rate >= $attendance_good) as all_children_good,
        max(term_end) as term_end,
        any_value(terms) as terms,
        list_sort(flatten(list(source_record_ids) filter (where source_record_ids is not null)))
            as source_record_ids
    from child_latest
    group by case_id
),
edu1 as (
    select
        n.case_id,
        n.criterion,
        n.person_id as need_person,
        f.children_without_data = 0 as test_ran,
        coalesce(f.all_children_good, false) as met,
        f.term_end as met_date,
        'every school-age child >= ' || printf('%.0f', 100 * $attendance_good) || '% over '
            || coalesce(f.terms, 'no terms') as test,
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
        c.attendance_rate is not null as test_ran,
        coalesce(c.attendance_rate >= $attendance_very_poor
            and c.attendance_rate >= n.baseline_rate * (1 + $attendance_relative_improvement),
            false) as met,
        c.term_end as met_date,
        printf('%.1f', 100 * n.baseline_rate) || '% -> '
            || coalesce(printf('%.1f', 100 * c.attendance_rate) || '% over ' || c.terms,
                        'no data for the latest terms') as test,
        c.source_record_ids
    from need_attendance n
    left join child_latest c using (case_id, person_id)
    where n.criterion = 'EDU2'
)
select * from edu1
union all
select * from edu2

-- claim_attendance_latest: each school-age child's attendance over the 2 latest terms.
-- grain: case_id, source_person_id
-- Source: 000_4ab8a62d9effddd8.txt, "Sustainment periods and regression checks": "All
-- children in the family have achieved 90% attendance for at least two consecutive terms
-- prior to submission. Or, where a child was identified as attending for less than 50% of
-- the time, at least a 30% improvement ... with a minimum of 50% average attendance".
-- The terms are the latest pair the attendance feed holds on the as-of date (the pair the
-- EDU1 outcome test reads); school age is the age on the 31 August before that pair's
-- academic year (docs/interpretations.md). The EDU2 alternative is the EDU2 outcome test of
-- family_need_outcome for that child, which is judged over the same pair.
with latest as (
    select coalesce(max(term_seq),
                    -- no attendance at all: the academic year the as-of date falls in
                    (year($as_of::date) - case when month($as_of::date) < 9 then 1 else 0 end)
                        * 3 + 2) as term_seq
    from measure_attendance_term
),
school_age_child as (
    select m.case_id, m.source_person_id, m.person_id, latest.term_seq
    from family_member m, latest
    where m.role = 'child'
      and date_diff('year', m.dob, make_date(latest.term_seq // 3, 8, 31))
          - case when strftime(m.dob, '%m-%d') > '08-31' then 1 else 0 end
          between $school_age_min and $school_age_max
),
edu2 as (
    select case_id, need_person as person_id, bool_or(met) as edu2_met
    from family_need_outcome
    where criterion = 'EDU2' and need_person <> ''
    group by case_id, need_person
),
final as (
    select
        c.case_id,
        c.source_person_id,
        c.person_id,
        p.terms,
        p.term_end,
        p.attendance_rate,
        t.attendance_rate as latest_term_rate,
        e.person_id is not null as edu2_need,
        coalesce(e.edu2_met, false) as edu2_met,
        coalesce(p.attendance_rate >= $attendance_good
                 or (e.edu2_met and p.attendance_rate >= $attendance_very_poor), false)
            as passed,
        coalesce(p.source_record_ids, []) as source_record_ids
    from school_age_child c
    left join measure_attendance_pair p
      on p.person_id = c.person_id and p.term_seq = c.term_seq
    left join measure_attendance_term t
      on t.person_id = c.person_id and t.term_seq = c.term_seq
    left join edu2 e on e.case_id = c.case_id and e.person_id = c.person_id
)
select * from final

-- claim_attendance_latest: each child's regression check over the 2 latest terms.
-- grain: case_id, source_person_id
-- Source: 000_4ab8a62d9effddd8.txt, "Sustainment periods and regression checks": "All
-- children in the family have achieved 90% attendance for at least two consecutive terms
-- prior to submission. Or, where a child was identified as attending for less than 50% of
-- the time, at least a 30% improvement ... with a minimum of 50% average attendance".
-- Each child is judged by child_attendance_latest (indicators/): over the terms of
-- compulsory school age among the latest pair the attendance feed holds (SPEC section 4);
-- a child with none is not judged. The EDU2 alternative is the EDU2 outcome test of
-- family_need_outcome for that child, judged over the same terms on all absence.
with edu2 as (
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
        c.judged_terms,
        c.terms,
        c.terms_without_data,
        c.term_end,
        c.attendance_rate,
        c.latest_term_rate,
        e.person_id is not null as edu2_need,
        coalesce(e.edu2_met, false) as edu2_met,
        coalesce(c.attendance_rate >= $attendance_good
                 or (e.edu2_met and c.attendance_rate_all >= $attendance_very_poor), false)
            as passed,
        c.source_record_ids
    from child_attendance_latest c
    left join edu2 e on e.case_id = c.case_id and e.person_id = c.person_id
)
select * from final

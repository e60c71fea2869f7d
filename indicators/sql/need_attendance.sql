-- need_attendance: EDU1 or EDU2 for a child on a case, found in attendance data.
-- grain: case_id, person_id
-- Source: 001_c8a4eb03005f1d3d.txt, "Getting a good education", rows 1-2: under 90%
-- (EDU1) or under 50% (EDU2) averaged over 2 consecutive terms. SPEC section 2: pairs ending
-- while the case was open or in the $attendance_lookback_months before it opened count; a
-- need found before opening is identified on the opening date; a child has at most one
-- attendance need, EDU2 if any qualifying pair is under 50%. EDU2 counts authorised and
-- unauthorised absence ("attendance unauthorised and authorised", 001) whatever the plan's
-- $count_authorised_absence says for EDU1 (attendance_rate_all).
with child_window as (
    select
        m.case_id,
        m.person_id,
        c.opened_date,
        coalesce(c.closed_date, $as_of::date) as window_end
    from family_member m
    join case_current c using (case_id)
    where m.role = 'child' and m.person_id is not null
),
qualifying as (
    select
        w.case_id,
        w.person_id,
        w.opened_date,
        p.term_seq,
        p.terms,
        p.term_end,
        case when p.attendance_rate_all < $attendance_very_poor then p.attendance_rate_all
             else p.attendance_rate end as attendance_rate,
        p.source_record_ids,
        case when p.attendance_rate_all < $attendance_very_poor then 'EDU2' else 'EDU1' end
            as criterion
    from child_window w
    join measure_attendance_pair p using (person_id)
    where p.term_end >= w.opened_date - to_months($attendance_lookback_months)
      and p.term_end <= w.window_end
      and (p.attendance_rate < $attendance_good or p.attendance_rate_all < $attendance_very_poor)
),
identifying as (
    select * from qualifying
    qualify row_number() over (
        partition by case_id, person_id order by (criterion = 'EDU2') desc, term_seq) = 1
),
final as (
    select
        case_id,
        person_id,
        criterion,
        greatest(term_end, opened_date) as identified_date,
        'data' as basis,
        attendance_rate as baseline_rate,
        'attendance ' || terms || ' averaged ' || printf('%.1f', 100 * attendance_rate) || '%'
            as identified_by,
        source_record_ids
    from identifying
)
select * from final

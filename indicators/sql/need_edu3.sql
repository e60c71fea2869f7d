-- need_edu3: EDU3, a child not able to participate in education, found in exclusions data.
-- grain: case_id, person_id
-- Source: 001_c8a4eb03005f1d3d.txt, "Getting a good education", row 3 ("risk of, or subject
-- to, exclusions"). SPEC section 2 ("exclusions in the last 2 terms"): a suspension or
-- exclusion starting in the term the case opened or the $exclusion_lookback_terms - 1 terms
-- before it (identified on the opening date), or while the case was open (identified on
-- its start date).
with qualifying as (
    select w.case_id, w.person_id, w.opened_date, e.start_date, e.days_lost, e.source_record_id
    from member_window w
    join person_exclusion e using (person_id)
    where e.term_seq > (case when month(w.opened_date) >= 9 then year(w.opened_date) * 3
                             when month(w.opened_date) <= 3 then (year(w.opened_date) - 1) * 3 + 1
                             else (year(w.opened_date) - 1) * 3 + 2 end)
                       - $exclusion_lookback_terms
      and e.start_date <= w.window_end
),
final as (
    select
        case_id,
        person_id,
        'EDU3' as criterion,
        greatest(min(start_date), any_value(opened_date)) as identified_date,
        'data' as basis,
        'exclusions: ' || count(*) || ' suspension/exclusion(s), ' || sum(days_lost)
            || ' day(s) lost, from ' || strftime(min(start_date), '%Y-%m-%d') as identified_by,
        list(source_record_id order by source_record_id) as source_record_ids
    from qualifying
    group by case_id, person_id
)
select * from final

-- outcome_neet: FIN3, an eet month after the need was identified.
-- grain: case_id, criterion, need_person
-- Source: 001_c8a4eb03005f1d3d.txt, "Financial stability" row 3 (NEET data, CCIS: in education, employment or training).
-- SPEC section 3: met by a month dated after the identification date and, as every outcome
-- must be "achieved and evidenced at case closure" (000_4ab8a62d9effddd8.txt), no later
-- than the closure date (plus $outcome_grace_days; the as-of date while the case is open),
-- in which the person is eet. A need recorded for the whole family is met when any
-- member has such a month. The recorded outcome it may stand beside ("or a recorded
-- outcome") is applied in family_need_outcome.sql (plan outcome_logic).
with feed as (
    select has_data from feed_coverage where feed = 'neet'
),
per_person as (
    select
        s.case_id,
        s.criterion,
        s.need_person,
        s.person_id,
        s.identified_date,
        min(m.month) as first_month,
        arg_min(m.source_record_id, m.month) as source_record_id
    from need_subject s
    left join measure_neet_month m
      on m.person_id = s.person_id and m.status = 'eet' and m.month > s.identified_date
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
        case when r.need_person = '' then bool_or(r.first_month is not null)
             else bool_and(r.first_month is not null) end as met,
        min(r.first_month) as met_date,
        coalesce('eet in ' || strftime(min(r.first_month), '%Y-%m'),
                 'no eet month') || ' after identification on '
            || strftime(min(r.identified_date), '%Y-%m-%d') as test,
        list_sort(list(r.source_record_id) filter (where r.source_record_id is not null))
            as source_record_ids
    from per_person r
    cross join feed f
    group by r.case_id, r.criterion, r.need_person
)
select * from final

-- outcome_housing: HOU1-3 and FIN2, nothing in the housing feed contradicts the outcome.
-- grain: case_id, criterion, need_person
-- Source: 001_c8a4eb03005f1d3d.txt, "Secure housing" rows 1-3 ("no longer at risk of losing
-- temporary accommodation", "*Notice not served or withdrawn; or ... a suspended possession
-- order", "remains with or is returned to family") and "Financial stability" row 2 ("Debt
-- is being managed or has been resolved"). SPEC section 3: a recorded outcome stands only if
-- the housing feed does not contradict it in the $housing_check_months before the claim:
-- HOU1 a new ta_at_risk; HOU2 a notice_served not later withdrawn or suspended; HOU3 a new
-- excluded_from_home; FIN2 the latest rent arrears in those months higher than at
-- identification (the latest arrears amount on or before the identification date, none =
-- 0; an arrears row without an amount cannot show a rise). "New" = dated after the need's
-- identification. The recorded outcome itself is applied in family_need_outcome.sql
-- (national outcome_logic: data_and_recorded); the test has no date of its own (met_date
-- null), so the outcome is met when the recorded outcome was achieved.
with housing as (
    select has_data from feed_coverage where feed = 'housing'
),
subject as (
    select s.*, cast($as_of::date - to_months($housing_check_months) as date) as check_start
    from need_subject s
    where s.criterion in ('HOU1', 'HOU2', 'HOU3', 'FIN2')
),
event_in_window as (
    select s.case_id, s.criterion, s.need_person, s.person_id, e.event_type, e.event_date,
           e.amount, e.source_record_id
    from subject s
    join person_housing_event e
      on e.person_id = s.person_id
     and e.event_date > s.check_start and e.event_date > s.identified_date
),
contradiction as (
    select w.*
    from event_in_window w
    where (w.criterion = 'HOU1' and w.event_type = 'ta_at_risk')
       or (w.criterion = 'HOU3' and w.event_type = 'excluded_from_home')
       or (w.criterion = 'HOU2' and w.event_type = 'notice_served' and not exists (
              select 1 from person_housing_event later
              where later.person_id = w.person_id
                and later.event_type in ('notice_withdrawn', 'possession_order_suspended')
                and later.event_date >= w.event_date))
),
arrears_now as (
    select * from event_in_window
    where criterion = 'FIN2' and event_type = 'rent_arrears' and amount is not null
    qualify row_number() over (
        partition by case_id, criterion, need_person, person_id
        order by event_date desc, source_record_id desc) = 1
),
arrears_then as (
    select s.case_id, s.criterion, s.need_person, s.person_id, e.amount
    from subject s
    join person_housing_event e
      on e.person_id = s.person_id and e.event_type = 'rent_arrears'
     and e.event_date <= s.identified_date and e.amount is not null
    where s.criterion = 'FIN2'
    qualify row_number() over (
        partition by s.case_id, s.criterion, s.need_person, s.person_id
        order by e.event_date desc, e.source_record_id desc) = 1
),
per_person as (
    select
        s.case_id,
        s.criterion,
        s.need_person,
        s.person_id,
        s.check_start,
        count(c.source_record_id) as contradicting,
        any_value(n.amount) as arrears_now,
        coalesce(any_value(t.amount), 0) as arrears_then,
        coalesce(any_value(n.amount) > coalesce(any_value(t.amount), 0), false) as arrears_rose,
        list_concat(
            list(c.source_record_id order by c.source_record_id)
                filter (where c.source_record_id is not null),
            list(n.source_record_id) filter (where n.source_record_id is not null))
            as source_record_ids
    from subject s
    left join contradiction c using (case_id, criterion, need_person, person_id)
    left join arrears_now n using (case_id, criterion, need_person, person_id)
    left join arrears_then t using (case_id, criterion, need_person, person_id)
    group by s.case_id, s.criterion, s.need_person, s.person_id, s.check_start
),
final as (
    select
        r.case_id,
        r.criterion,
        r.need_person,
        any_value(h.has_data) as test_ran,
        bool_and(r.contradicting = 0 and not r.arrears_rose) as met,
        null::date as met_date,
        case when r.criterion = 'FIN2'
             then 'rent arrears ' || coalesce(printf('%.2f', max(r.arrears_now)), 'none')
                  || ' in the ' || $housing_check_months || ' months to the as-of date, '
                  || printf('%.2f', max(r.arrears_then)) || ' at identification'
             else sum(r.contradicting) || ' housing event(s) contradicting it in the '
                  || $housing_check_months || ' months to the as-of date' end as test,
        list_sort(flatten(list(coalesce(r.source_record_ids, [])))) as source_record_ids
    from per_person r
    cross join housing h
    group by r.case_id, r.criterion, r.need_person
)
select * from final

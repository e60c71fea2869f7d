-- outcome_housing: HOU1-3 and FIN2, nothing in the housing feed contradicts the outcome.
-- grain: case_id, criterion, need_person
-- Source: 001_c8a4eb03005f1d3d.txt, "Secure housing" rows 1-3 ("no longer at risk of losing
-- temporary accommodation", "*Notice not served or withdrawn; or ... a suspended possession
-- order", "remains with or is returned to family") and "Financial stability" row 2 ("Debt
-- is being managed or has been resolved"). SPEC section 3: a recorded outcome stands only if
-- the housing feed does not contradict it: HOU1 a new ta_at_risk in the
-- $housing_check_months before the claim, or a ta_ended after identification not followed
-- by settled_accommodation (a homelessness_duty_owed first, or nothing); HOU2 any
-- notice_served from the case's opening, the identifying one included, not later
-- withdrawn, its possession order suspended, or followed by a move into settled
-- accommodation (issue 23 item 4); HOU3 a new excluded_from_home in the
-- $housing_check_months; FIN2 the latest rent arrears in those months higher than at
-- identification (the latest arrears amount on or before the identification date, none =
-- 0; an arrears row without an amount cannot show a rise). "New" = dated after the need's
-- identification. The recorded outcome itself is applied in family_need_outcome.sql
-- (national outcome_logic: data_and_recorded); the test has no date of its own (met_date
-- null), so the outcome is met when the recorded outcome was achieved.
with housing as (
    select has_data from feed_coverage where feed = 'housing'
),
subject as (
    select s.*, w.opened_date,
           -- from closure (or the latest $housing_check_months, if earlier) to the as-of
           -- date, or only the latest months ($sustainment_from; issue 23 item 14)
           cast(case when $sustainment_from = 'closure' and s.closed_date is not null
                     then least(s.closed_date, $as_of::date - to_months($housing_check_months))
                     else $as_of::date - to_months($housing_check_months) end as date)
               as check_start
    from need_subject s
    join member_window w using (case_id, person_id)
    where s.criterion in ('HOU1', 'HOU2', 'HOU3', 'FIN2')
),
household_event as (
    -- the subject's own events and those of anyone sharing a household_ref with them
    -- (a withdrawal or a move may be recorded against the tenant, not the child)
    select s.case_id, s.criterion, s.need_person, s.person_id, e.event_type, e.event_date,
           e.source_record_id
    from subject s
    join person_housing_event e on e.person_id = s.person_id
    where s.criterion in ('HOU1', 'HOU2')
    union
    select s.case_id, s.criterion, s.need_person, s.person_id, e.event_type, e.event_date,
           e.source_record_id
    from subject s
    join (select distinct person_id, household_ref from person_housing_event
          where household_ref is not null) h on h.person_id = s.person_id
    join person_housing_event e on e.household_ref = h.household_ref
    where s.criterion in ('HOU1', 'HOU2')
),
event_in_window as (
    select s.case_id, s.criterion, s.need_person, s.person_id, e.event_type, e.event_date,
           e.amount, e.source_record_id
    from subject s
    join person_housing_event e
      on e.person_id = s.person_id
     and e.event_date > s.check_start and e.event_date > s.identified_date
),
notice as (
    -- HOU2: every notice served on the person from the case's opening (or the need's
    -- identification, if earlier) to the as-of date, the one that identified the need
    -- included
    select s.case_id, s.criterion, s.need_person, s.person_id, e.event_type, e.event_date,
           e.amount, e.source_record_id
    from subject s
    join person_housing_event e
      on e.person_id = s.person_id and e.event_type = 'notice_served'
     and e.event_date >= least(s.identified_date, s.opened_date)
    where s.criterion = 'HOU2'
),
ta_ended as (
    -- HOU1: leaving temporary accommodation after identification
    select s.case_id, s.criterion, s.need_person, s.person_id, e.event_type, e.event_date,
           e.amount, e.source_record_id
    from subject s
    join person_housing_event e
      on e.person_id = s.person_id and e.event_type = 'ta_ended'
     and e.event_date > s.identified_date
    where s.criterion = 'HOU1'
),
contradiction as (
    select w.*
    from event_in_window w
    where (w.criterion = 'HOU1' and w.event_type = 'ta_at_risk')
       or (w.criterion = 'HOU3' and w.event_type = 'excluded_from_home')
    union all
    -- HOU2 "Notice not served or withdrawn" (001): a notice stands unless the household
    -- later had it withdrawn, its possession order suspended, or moved into settled
    -- accommodation
    select n.*
    from notice n
    where not exists (
        select 1 from household_event later
        where later.case_id = n.case_id and later.criterion = n.criterion
          and later.need_person = n.need_person and later.person_id = n.person_id
          and later.event_type in ('notice_withdrawn', 'possession_order_suspended',
                                   'settled_accommodation')
          and later.event_date >= n.event_date)
    union all
    -- HOU1 "sustained temporary accommodation for 6 months or have moved into settled
    -- housing" (001): a ta_ended is neither unless the first settled_accommodation or
    -- homelessness_duty_owed after it is settled accommodation
    select t.*
    from ta_ended t
    where coalesce((
        select arg_min(later.event_type, later.event_date)
        from household_event later
        where later.case_id = t.case_id and later.criterion = t.criterion
          and later.need_person = t.need_person and later.person_id = t.person_id
          and later.event_type in ('settled_accommodation', 'homelessness_duty_owed')
          and later.event_date >= t.event_date), 'none') <> 'settled_accommodation'
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
                  || case when min(r.check_start)
                            < cast($as_of::date - to_months($housing_check_months) as date)
                       then ' since closure on ' || strftime(min(r.check_start), '%Y-%m-%d')
                       else ' in the ' || $housing_check_months || ' months to the as-of date'
                  end || ', '
                  || printf('%.2f', max(r.arrears_then)) || ' at identification'
             when r.criterion = 'HOU2'
             then sum(r.contradicting) || ' notice(s) served since the case opened and not '
                  || 'withdrawn, suspended or followed by settled accommodation'
             when r.criterion = 'HOU1'
             then sum(r.contradicting) || ' housing event(s) contradicting it (a new TA at '
                  || 'risk' || case when min(r.check_start)
                            < cast($as_of::date - to_months($housing_check_months) as date)
                       then ' since closure on ' || strftime(min(r.check_start), '%Y-%m-%d')
                       else ' in the ' || $housing_check_months || ' months to the as-of date'
                  end || ', '
                  || 'or TA ended without a move into settled accommodation)'
             else sum(r.contradicting) || ' housing event(s) contradicting it'
                  || case when min(r.check_start)
                            < cast($as_of::date - to_months($housing_check_months) as date)
                       then ' since closure on ' || strftime(min(r.check_start), '%Y-%m-%d')
                       else ' in the ' || $housing_check_months || ' months to the as-of date'
                  end end as test,
        list_sort(flatten(list(coalesce(r.source_record_ids, [])))) as source_record_ids
    from per_person r
    cross join housing h
    group by r.case_id, r.criterion, r.need_person
)
select * from final

-- outcome_csc_plan: SAF1, the CIN or CP plan closed or stepped down by the case's closure.
-- grain: case_id, criterion, need_person
-- Source: 001_c8a4eb03005f1d3d.txt and 003_91ea525606d8a4aa.txt, "Children safe from abuse
-- and exploitation" row 1 ("Early help, CIN or CP plan closed and/or stepped down"). Met
-- when, on the closure date (the as-of date while the case is open), the person has no CP
-- plan open and no CIN plan open other than a step-down: a CIN plan that started on or
-- after the start of a CP plan of theirs that ended while the case was open, and no later
-- than $csc_step_down_days after that end. A CIN or CP plan that ended while the case was
-- open because the child became looked after (a LAC plan starting within the same days)
-- fails it: care is not "closed and/or stepped down" (issue 23 item 6). National plan:
-- recorded outcome only; a council turns this on (Milton Keynes).
with csc as (
    select has_data from feed_coverage where feed = 'csc'
),
subject as (
    select s.*, coalesce(s.closed_date, $as_of::date) as check_date, w.opened_date
    from need_subject s
    join member_window w using (case_id, person_id)
    where s.criterion = 'SAF1'
),
plan_row as (
    select
        s.case_id,
        s.criterion,
        s.need_person,
        s.person_id,
        s.check_date,
        p.plan_type,
        p.start_date,
        p.end_date,
        p.source_record_id,
        p.end_date is null or p.end_date > s.check_date as open_at_check,
        -- a step-down: a CIN plan starting after a CP plan of theirs began and no later than
        -- $csc_step_down_days after it ended (while the case was open); a CIN plan opening
        -- months after a CP plan ended is a new plan, not its step-down
        exists (
            select 1 from person_csc_plan cp
            where cp.person_id = s.person_id and cp.plan_type = 'cp'
              and cp.end_date is not null
              and cp.end_date between s.opened_date and s.check_date
              and p.plan_type = 'cin' and p.start_date >= cp.start_date
              and p.start_date <= cp.end_date + to_days($csc_step_down_days)
        ) as step_down,
        -- a plan that ended (while the case was open) because the child became looked after:
        -- a LAC plan starting after it began and no later than $csc_step_down_days after it
        -- ended. Care is an escalation, not a plan closed or stepped down.
        p.end_date is not null and p.end_date between s.opened_date and s.check_date
        and exists (
            select 1 from person_csc_plan lac
            where lac.person_id = s.person_id and lac.plan_type = 'lac'
              and lac.start_date >= p.start_date
              and lac.start_date <= p.end_date + to_days($csc_step_down_days)
        ) as into_care
    from subject s
    left join person_csc_plan p
      on p.person_id = s.person_id and p.plan_type in ('cin', 'cp')
     and p.start_date <= s.check_date
),
per_person as (
    select
        case_id,
        criterion,
        need_person,
        person_id,
        any_value(check_date) as check_date,
        count(source_record_id) filter (where open_at_check and not step_down) as open_plans,
        count(source_record_id) filter (where into_care) as into_care,
        count(source_record_id) filter (where open_at_check and step_down) as stepped_down,
        max(end_date) as last_end,
        list(source_record_id order by source_record_id) filter (
            where source_record_id is not null) as source_record_ids
    from plan_row
    group by all
),
final as (
    select
        r.case_id,
        r.criterion,
        r.need_person,
        any_value(c.has_data) as test_ran,
        bool_and(r.open_plans = 0 and r.into_care = 0) as met,
        coalesce(max(r.last_end), max(r.check_date)) as met_date,
        sum(r.open_plans) || ' CIN/CP plan(s) open on '
            || strftime(max(r.check_date), '%Y-%m-%d')
            || case when sum(r.stepped_down) > 0
                    then ' (' || sum(r.stepped_down) || ' CP plan(s) stepped down to CIN)'
                    else '' end
            || case when sum(r.into_care) > 0
                    then '; ' || sum(r.into_care) || ' plan(s) ended with the child looked after'
                    else '' end as test,
        list_sort(flatten(list(coalesce(r.source_record_ids, [])))) as source_record_ids
    from per_person r
    cross join csc c
    group by r.case_id, r.criterion, r.need_person
)
select * from final

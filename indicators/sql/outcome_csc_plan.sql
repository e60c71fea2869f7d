-- outcome_csc_plan: SAF1, the CIN or CP plan closed or stepped down by the case's closure.
-- grain: case_id, criterion, need_person
-- Source: 001_c8a4eb03005f1d3d.txt and 003_91ea525606d8a4aa.txt, "Children safe from abuse
-- and exploitation" row 1 ("Early help, CIN or CP plan closed and/or stepped down"). Met
-- when no CIN or CP plan of the person is open on the closure date (the as-of date while
-- the case is open). National plan: recorded outcome only; a council turns this on.
with csc as (
    select has_data from feed_coverage where feed = 'csc'
),
subject as (
    select s.*, coalesce(s.closed_date, $as_of::date) as check_date
    from need_subject s
    where s.criterion = 'SAF1'
),
per_person as (
    select
        s.case_id,
        s.criterion,
        s.need_person,
        s.person_id,
        s.check_date,
        count(p.source_record_id) filter (
            where p.end_date is null or p.end_date > s.check_date) as open_plans,
        max(p.end_date) as last_end,
        list(p.source_record_id order by p.source_record_id) filter (
            where p.source_record_id is not null) as source_record_ids
    from subject s
    left join person_csc_plan p
      on p.person_id = s.person_id and p.plan_type in ('cin', 'cp')
     and p.start_date <= s.check_date
    group by all
),
final as (
    select
        r.case_id,
        r.criterion,
        r.need_person,
        any_value(c.has_data) as test_ran,
        bool_and(r.open_plans = 0) as met,
        coalesce(max(r.last_end), max(r.check_date)) as met_date,
        sum(r.open_plans) || ' CIN/CP plan(s) open on '
            || strftime(max(r.check_date), '%Y-%m-%d') as test,
        list_sort(flatten(list(coalesce(r.source_record_ids, [])))) as source_record_ids
    from per_person r
    cross join csc c
    group by r.case_id, r.criterion, r.need_person
)
select * from final

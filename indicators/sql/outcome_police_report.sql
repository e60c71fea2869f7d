-- outcome_police_report: SAF3 and SAF4, no more police reports of the concern.
-- grain: case_id, criterion, need_person
-- Source: 001_c8a4eb03005f1d3d.txt, "Children safe from abuse and exploitation" rows 3-4
-- ("... improved outcomes And No more police reports"). Read as: no cse_concern (SAF3) or
-- cce_concern (SAF4) report for the person after the case closed (after identification
-- while it is open) up to the as-of date. National plan: recorded outcome only; a council
-- turns this test on through outcome_logic (indicators/plans/milton_keynes.yaml).
with police as (
    select has_data from feed_coverage where feed = 'police'
),
subject as (
    select s.*, coalesce(s.closed_date, s.identified_date) as after_date
    from need_subject s
    where s.criterion in ('SAF3', 'SAF4')
),
per_person as (
    select
        s.case_id,
        s.criterion,
        s.need_person,
        s.person_id,
        s.after_date,
        count(distinct e.incident_id) as reports,
        list(e.source_record_id order by e.source_record_id) filter (
            where e.source_record_id is not null) as source_record_ids
    from subject s
    left join person_police_event e
      on e.person_id = s.person_id
     and e.event_date > s.after_date
     and e.event_type = case when s.criterion = 'SAF3' then 'cse_concern' else 'cce_concern' end
    group by all
),
final as (
    select
        r.case_id,
        r.criterion,
        r.need_person,
        any_value(p.has_data) as test_ran,
        bool_and(r.reports = 0) as met,
        $as_of::date as met_date,
        sum(r.reports) || ' police report(s) of the concern after '
            || strftime(min(r.after_date), '%Y-%m-%d') as test,
        list_sort(flatten(list(coalesce(r.source_record_ids, [])))) as source_record_ids
    from per_person r
    cross join police p
    group by r.case_id, r.criterion, r.need_person
)
select * from final

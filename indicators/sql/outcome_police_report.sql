-- outcome_police_report: SAF3, SAF4 and SAF6, no more police reports.
-- grain: case_id, criterion, need_person
-- Source: 001_c8a4eb03005f1d3d.txt, "Children safe from abuse and exploitation" rows 3-4
-- ("Practitioner and self-assessed – improved outcomes And No more police reports"): no
-- cse_concern (SAF3) or cce_concern (SAF4) report for the child after the report(s) that
-- identified the need, i.e. dated after the identification date, up to the as-of date
-- (SPEC section 3). The report that identified it is the first report of the kind for the
-- child in the case's window, even when the practitioner recorded the need before it
-- (issue 23 item 11): the reports are counted after the later of the two dates. 003_91ea525606d8a4aa.txt SAF6 ("Closure of plan AND No police or
-- school reports"): the case closed and no police report of any kind naming the child after
-- identification; the council has no school incident feed, so police reports stand for
-- both (docs/interpretations.md). National plan: SAF3/SAF4 data and recorded, SAF6
-- recorded only; Milton Keynes turns the SAF6 test on (indicators/plans/milton_keynes.yaml).
with police as (
    select has_data from feed_coverage where feed = 'police'
),
first_report as (
    -- the first report of each kind for the person in the case's window: the report that
    -- identified the need, even when the practitioner recorded the need earlier
    select case_id, person_id, event_type, min(event_date) as first_date
    from member_police_event
    where event_type in ('cse_concern', 'cce_concern')
    group by all
),
subject as (
    select s.* replace (
        case when s.criterion = 'SAF6' then s.identified_date
             else greatest(s.identified_date, coalesce(f.first_date, s.identified_date))
        end as identified_date)
    from need_subject s
    left join first_report f
      on f.case_id = s.case_id and f.person_id = s.person_id
     and f.event_type = case s.criterion when 'SAF3' then 'cse_concern' else 'cce_concern' end
    where s.criterion in ('SAF3', 'SAF4', 'SAF6')
),
per_person as (
    select
        s.case_id,
        s.criterion,
        s.need_person,
        s.person_id,
        s.identified_date,
        s.closed_date,
        count(distinct e.incident_id) as reports,
        list(e.source_record_id order by e.source_record_id) filter (
            where e.source_record_id is not null) as source_record_ids
    from subject s
    left join person_police_event e
      on e.person_id = s.person_id
     and e.event_date > s.identified_date
     and (s.criterion = 'SAF6'
          or e.event_type = case when s.criterion = 'SAF3' then 'cse_concern'
                                 else 'cce_concern' end)
    group by all
),
final as (
    select
        r.case_id,
        r.criterion,
        r.need_person,
        any_value(p.has_data) as test_ran,
        bool_and(r.reports = 0)
            and (r.criterion <> 'SAF6' or bool_and(r.closed_date is not null)) as met,
        $as_of::date as met_date,
        sum(r.reports) || case when r.criterion = 'SAF6' then ' police report(s) of the child'
                               else ' police report(s) of the concern' end
            || ' after identification on ' || strftime(min(r.identified_date), '%Y-%m-%d')
            || case when r.criterion = 'SAF6' and bool_or(r.closed_date is null)
                    then '; the case is not closed' else '' end as test,
        list_sort(flatten(list(coalesce(r.source_record_ids, [])))) as source_record_ids
    from per_person r
    cross join police p
    group by r.case_id, r.criterion, r.need_person
)
select * from final

-- outcome_crime: the CRI1, CRI2 and CRI3 outcome tests on police incidents.
-- grain: case_id, criterion, need_person
-- Source: 001_c8a4eb03005f1d3d.txt, "Crime prevention and tackling crime", rows 1-3.
-- Sustainment window (issue 23 item 14): 001 "sustained for at least six months after
-- closure" and 000 "can be evidenced at any point after work has begun": with
-- $sustainment_from = 'closure' (default) the incidents counted run from the case's closure
-- (or the latest $sustainment_months, if earlier) to the as-of date, so an offence soon
-- after closure is not lost to a claim made long after it; 'as_of' counts only the latest
-- $sustainment_months. "Latest months" below means that window.
-- CRI2: "must not have any offences, arrests, named suspect reports, or ASB for 6 months":
-- no incident in the latest $sustainment_months, and that long since identification.
-- CRI1/CRI3: baseline = distinct incidents (offence, arrest, named suspect, ASB) in the
-- $crime_baseline_months up to the identification date: for a need found after the case
-- opened, the date the data first showed it, so a rise during the case is not counted in
-- the baseline (docs/interpretations.md). Baseline at most
-- $adult_incidents_low_max (CRI1) or $youth_incidents_low_max (CRI3): no incident in the
-- latest $sustainment_months before the as-of date. Above it: incidents in those months at
-- most $incident_reduction of the baseline's rate over as many months ("50% of half the
-- baseline"). CRI3 also needs no severe offence in those months. Either way the
-- sustainment months must have passed since identification. CRI1 counts incidents at 18+
-- ("consistent measure required"); a young person's incidents (CRI2, CRI3) keep counting
-- after they turn 18 (SPEC section 3).
with police as (
    select has_data from feed_coverage where feed = 'police'
),
data_shown as (
    -- the date the police data first showed the need on this case: the first qualifying
    -- incident in the case's window, or the opening date for one found before it
    select
        case_id,
        person_id,
        case when age_at_event >= $adult_age then 'CRI1' else 'CRI3' end as criterion,
        greatest(min(event_date), any_value(opened_date)) as shown_date
    from member_police_event
    where event_type in ('offence', 'arrest', 'named_suspect', 'asb')
    group by all
),
subject as (
    -- the baseline ends on the identification date, or earlier if the data showed the need
    -- before the need was recorded (a rise during the case never lifts the baseline)
    select s.* replace (least(s.identified_date, coalesce(d.shown_date, s.identified_date))
                            as identified_date),
           -- the sustainment window: from closure (or the latest $sustainment_months, if
           -- earlier) to the as-of date, or only the latest months ($sustainment_from)
           cast(case when $sustainment_from = 'closure' and s.closed_date is not null
                     then least(s.closed_date, $as_of::date - to_months($sustainment_months))
                     else $as_of::date - to_months($sustainment_months) end as date)
               as window_start
    from need_subject s
    left join data_shown d using (case_id, person_id, criterion)
    where s.criterion in ('CRI1', 'CRI2', 'CRI3')
),
incident as (
    select s.case_id, s.criterion, s.need_person, s.person_id, s.identified_date,
           e.incident_id, e.event_date, e.severe_offence, e.source_record_id
    from subject s
    join person_police_event e
      on e.person_id = s.person_id
     and e.event_type in ('offence', 'arrest', 'named_suspect', 'asb')
     and (s.criterion <> 'CRI1' or date_part('year', age(e.event_date, s.dob)) >= $adult_age)
),
per_person as (
    select
        s.case_id,
        s.criterion,
        s.need_person,
        s.person_id,
        s.identified_date,
        s.window_start,
        case when s.criterion = 'CRI1' then $adult_incidents_low_max
             else $youth_incidents_low_max end as low_max,
        count(distinct i.incident_id) filter (
            where i.event_date > s.identified_date - to_months($crime_baseline_months)
              and i.event_date <= s.identified_date) as baseline,
        count(distinct i.incident_id) filter (where i.event_date > s.window_start) as recent,
        count(distinct i.incident_id) filter (
            where i.event_date > s.window_start and i.severe_offence) as recent_severe,
        max(i.event_date) as last_incident,
        list(i.source_record_id order by i.source_record_id) filter (
            where i.event_date > s.identified_date - to_months($crime_baseline_months))
            as source_record_ids
    from subject s
    left join incident i using (case_id, criterion, need_person, person_id)
    group by s.case_id, s.criterion, s.need_person, s.person_id, s.identified_date,
             s.window_start
),
tested as (
    select
        *,
        -- the same rate over a longer window: 50% of the baseline's monthly rate
        $incident_reduction * baseline
            * greatest($sustainment_months, date_diff('month', window_start, $as_of::date))
            / $crime_baseline_months as allowed,
        $as_of::date >= identified_date + to_months($sustainment_months) as sustained_long_enough
    from per_person
),
judged as (
    select
        *,
        sustained_long_enough
            and (case when criterion = 'CRI2' or baseline <= low_max then recent = 0
                      else recent <= allowed end)
            and (criterion <> 'CRI3' or recent_severe = 0) as met,
        case when criterion = 'CRI2' or baseline <= low_max
             then cast(greatest(identified_date, last_incident) + to_months($sustainment_months)
                       as date)
             else $as_of::date end as met_date,
        case when criterion = 'CRI2' then ''
             else 'baseline ' || baseline || ' incident(s) in ' || $crime_baseline_months
                  || ' months to ' || strftime(identified_date, '%Y-%m-%d') || '; ' end
            || recent || case
                when window_start < cast($as_of::date - to_months($sustainment_months) as date)
                then ' since closure on ' || strftime(window_start, '%Y-%m-%d') || ' ('
                else ' in the ' || $sustainment_months || ' months to the as-of date (' end
            || case when criterion = 'CRI2' or baseline <= low_max then 'none allowed'
                    else 'at most ' || printf('%.1f', allowed) || ' allowed' end || ')'
            || case when criterion = 'CRI3' then ', ' || recent_severe || ' severe' else '' end
            || case when not sustained_long_enough
                    then ', ' || $sustainment_months || ' months not yet passed' else '' end
            as test
    from tested
),
final as (
    select
        j.case_id,
        j.criterion,
        j.need_person,
        any_value(p.has_data) as test_ran,
        bool_and(j.met) as met,
        max(j.met_date) as met_date,
        string_agg(j.test, '; ' order by j.person_id) as test,
        list_sort(flatten(list(coalesce(j.source_record_ids, [])))) as source_record_ids
    from judged j
    cross join police p
    group by j.case_id, j.criterion, j.need_person
)
select * from final

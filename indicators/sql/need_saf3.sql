-- need_saf3: SAF3, a child at risk of sexual exploitation, found in police data.
-- grain: case_id, person_id
-- Source: 001_c8a4eb03005f1d3d.txt, "Children safe from abuse and exploitation", row 3 (police report).
-- SPEC section 2: rows from $police_lookback_months before opening to closure count
-- (member_police_event); found before opening = identified on the opening date, later =
-- on the first qualifying row.
-- Age is taken at the event (adult from $adult_age).
with qualifying as (
    select *
    from member_police_event
    where event_type in ('cse_concern')
      and age_at_event < $adult_age
),
final as (
    select
        case_id,
        person_id,
        'SAF3' as criterion,
        greatest(min(event_date), any_value(opened_date)) as identified_date,
        'data' as basis,
        'police: ' || count(distinct incident_id) || ' CSE concern(s) from '
            || strftime(min(event_date), '%Y-%m-%d') as identified_by,
        list(source_record_id order by source_record_id) as source_record_ids
    from qualifying
    group by case_id, person_id
)
select * from final

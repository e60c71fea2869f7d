-- need_cri3: CRI3, a young person (under 18) with an offence, arrest, named suspect report or ASB, found in police data.
-- grain: case_id, person_id
-- Source: 001_c8a4eb03005f1d3d.txt, "Crime prevention and tackling crime", row 3 ("at least one ... in the last 12 months").
-- SPEC section 2: rows from $police_lookback_months before opening to closure count
-- (member_police_event); found before opening = identified on the opening date, later =
-- on the first qualifying row.
-- Age is taken at the event (adult from $adult_age).
with qualifying as (
    select *
    from member_police_event
    where event_type in ('offence', 'arrest', 'named_suspect', 'asb')
      and age_at_event < $adult_age
),
final as (
    select
        case_id,
        person_id,
        'CRI3' as criterion,
        greatest(min(event_date), any_value(opened_date)) as identified_date,
        'data' as basis,
        'police: ' || count(distinct incident_id) || ' crime/ASB incident(s) from '
            || strftime(min(event_date), '%Y-%m-%d') as identified_by,
        list(source_record_id order by source_record_id) as source_record_ids
    from qualifying
    group by case_id, person_id
)
select * from final

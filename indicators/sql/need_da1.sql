-- need_da1: DA1, a family member who is a victim of domestic abuse, found in police data.
-- grain: case_id, person_id
-- Source: 001_c8a4eb03005f1d3d.txt, "Safe from domestic abuse", row 1 (police data).
-- SPEC section 2: rows from $police_lookback_months before opening to closure count
-- (member_police_event); found before opening = identified on the opening date, later =
-- on the first qualifying row.
-- Any member named as a victim, whatever their age.
with qualifying as (
    select *
    from member_police_event
    where event_type in ('da_victim')
),
final as (
    select
        case_id,
        person_id,
        'DA1' as criterion,
        greatest(min(event_date), any_value(opened_date)) as identified_date,
        'data' as basis,
        'police: ' || count(distinct incident_id) || ' DA incident as victim(s) from '
            || strftime(min(event_date), '%Y-%m-%d') as identified_by,
        list(source_record_id order by source_record_id) as source_record_ids
    from qualifying
    group by case_id, person_id
)
select * from final

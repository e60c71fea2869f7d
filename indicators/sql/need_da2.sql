-- need_da2: DA2, an adult perpetrator of domestic abuse, found in police data.
-- grain: case_id, person_id
-- Source: 001_c8a4eb03005f1d3d.txt, "Safe from domestic abuse", row 2 (police data).
-- SPEC section 2: rows from $police_lookback_months before opening to closure count
-- (member_police_event); found before opening = identified on the opening date, later =
-- on the first qualifying row.
-- Age is taken at the event (adult from $adult_age).
with qualifying as (
    select *
    from member_police_event
    where event_type in ('da_perpetrator')
      and age_at_event >= $adult_age
),
final as (
    select
        case_id,
        person_id,
        'DA2' as criterion,
        greatest(min(event_date), any_value(opened_date)) as identified_date,
        'data' as basis,
        'police: ' || count(distinct incident_id) || ' DA incident as perpetrator(s) from '
            || strftime(min(event_date), '%Y-%m-%d') as identified_by,
        list(source_record_id order by source_record_id) as source_record_ids
    from qualifying
    group by case_id, person_id
)
select * from final

-- measure_police_month: police incidents per person, month, event type and role.
-- grain: person_id, month, event_type
-- Source: 001_c8a4eb03005f1d3d.txt, "Crime prevention" and "Safe from domestic abuse": the
-- event type is the person's part (offence, arrest, named_suspect, asb, missing_episode,
-- da_victim / da_perpetrator / da_child_present, cse_concern, cce_concern). An incident
-- counts once per person and type however many rows name it.
with final as (
    select
        person_id,
        cast(date_trunc('month', event_date) as date) as month,
        event_type,
        count(distinct incident_id) as incidents,
        count(distinct incident_id) filter (where severe_offence) as severe_incidents,
        list(source_record_id order by source_record_id) as source_record_ids
    from person_police_event
    group by person_id, date_trunc('month', event_date), event_type
)
select * from final

-- measure_housing_month: housing events per person, month and event type.
-- grain: person_id, month, event_type
-- Source: 001_c8a4eb03005f1d3d.txt, "Secure housing" and "Financial stability" row 2
-- (rent arrears); amount is the largest sum recorded that month (arrears, in pounds).
with final as (
    select
        person_id,
        cast(date_trunc('month', event_date) as date) as month,
        event_type,
        count(*) as events,
        max(amount) as max_amount,
        list(source_record_id order by source_record_id) as source_record_ids
    from person_housing_event
    group by person_id, date_trunc('month', event_date), event_type
)
select * from final

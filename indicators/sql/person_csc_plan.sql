-- person_csc_plan: each linked person's children's social care plans as known on the as-of date.
-- grain: source_record_id
-- An end date after the as-of date is not yet known, so the plan counts as open then.
with final as (
    select
        l.person_id,
        c.plan_type,
        c.start_date,
        case when c.end_date <= $as_of then c.end_date end as end_date,
        c.source_record_id
    from stg_csc c
    join person_link l on l.source = 'csc' and l.source_record_id = c.source_record_id
    where c.start_date <= $as_of
)
select * from final

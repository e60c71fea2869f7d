-- family_need_outcome: for every identified need, whether its outcome is met, when, how.
-- grain: case_id, criterion, need_person
-- SPEC section 3: data tests where the plan has one; every other criterion needs a
-- recorded outcome (eh_outcomes) for that criterion on the case; a data test that cannot
-- run for lack of data falls back to a recorded outcome and says so.
with recorded as (
    select
        case_id,
        criterion,
        min(achieved_date) as achieved_date,
        string_agg(distinct evidence, ', ' order by evidence) as evidence,
        list(source_record_id order by source_record_id) as source_record_ids
    from stg_eh_outcomes
    where achieved_date <= $as_of
    group by case_id, criterion
),
final as (
    select
        n.case_id,
        n.criterion,
        n.need_person,
        n.identified_date,
        n.basis,
        n.identified_by,
        case when d.test_ran then d.met else r.achieved_date is not null end as met,
        case when d.test_ran then (case when d.met then d.met_date end)
             else r.achieved_date end as met_date,
        case
            when d.test_ran then 'data test: ' || d.test
            when d.case_id is not null then 'no data for the attendance test; recorded outcome: '
                || coalesce(r.evidence, 'none')
            else 'recorded outcome: ' || coalesce(r.evidence, 'none')
        end as outcome_test,
        list_sort(list_concat(n.source_record_ids,
            case when d.test_ran then d.source_record_ids else r.source_record_ids end))
            as source_record_ids
    from family_need n
    left join outcome_attendance d using (case_id, criterion, need_person)
    left join recorded r using (case_id, criterion)
)
select * from final

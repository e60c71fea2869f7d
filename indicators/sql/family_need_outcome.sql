-- family_need_outcome: for every identified need, whether its outcome is met, when, how.
-- grain: case_id, criterion, need_person
-- SPEC section 3. How a criterion's data test (outcome_data_test) and a recorded outcome
-- (eh_outcomes, of the evidence kinds the plan accepts) combine is the plan's outcome_logic
-- (plan_outcome_logic): recorded; data_else_recorded; data_or_recorded (AND/OR);
-- data_and_recorded (AND). A data test that cannot run for lack of data falls back to a
-- recorded outcome and says so. Frozen columns: case_id .. source_record_ids; the rest
-- are added for the evidence sheet.
with recorded_row as (
    select o.case_id, o.criterion, o.achieved_date, o.evidence, o.source_record_id
    from stg_eh_outcomes o
    join plan_outcome_logic l using (criterion)
    where o.achieved_date <= $as_of
      and list_contains(l.evidence, o.evidence)
),
recorded as (
    select
        case_id,
        criterion,
        min(achieved_date) as achieved_date,
        string_agg(distinct evidence, ', ' order by evidence) as evidence,
        list(source_record_id order by source_record_id) as source_record_ids
    from recorded_row
    group by case_id, criterion
),
joined as (
    select
        n.*,
        l.combine,
        coalesce(d.test_ran, false) as test_ran,
        d.case_id is not null as has_test,
        d.met as data_met,
        d.met_date as data_met_date,
        d.test,
        d.source_record_ids as data_rows,
        r.achieved_date,
        r.achieved_date is not null as has_recorded,
        'recorded outcome: ' || coalesce(r.evidence, 'none') as recorded_text,
        r.source_record_ids as recorded_rows
    from family_need n
    join plan_outcome_logic l using (criterion)
    left join outcome_data_test d using (case_id, criterion, need_person)
    left join recorded r using (case_id, criterion)
),
decided as (
    select
        *,
        combine <> 'recorded' and test_ran as data_used,
        coalesce(case
            when combine = 'recorded' or not test_ran then has_recorded
            when combine = 'data_else_recorded' then data_met
            when combine = 'data_or_recorded' then data_met or has_recorded
            else data_met and has_recorded
        end, false) as met
    from joined
),
final as (
    select
        case_id,
        criterion,
        need_person,
        identified_date,
        basis,
        identified_by,
        met,
        case
            when not met then null
            when not data_used then achieved_date
            when combine = 'data_else_recorded' then data_met_date
            when combine = 'data_or_recorded'
                then least(case when data_met then data_met_date end, achieved_date)
            else greatest(data_met_date, achieved_date)
        end as met_date,
        case
            when combine = 'recorded' or not has_test then recorded_text
            when not test_ran then 'no data for the data test; ' || recorded_text
            when combine = 'data_else_recorded' then 'data test: ' || test
            when combine = 'data_or_recorded' then 'data test: ' || test || ' or ' || recorded_text
            else 'data test: ' || test || ' and ' || recorded_text
        end as outcome_test,
        list_sort(list_concat(
            source_record_ids,
            case when data_used then coalesce(data_rows, []) else [] end,
            case when combine <> 'data_else_recorded' or not data_used
                 then coalesce(recorded_rows, []) else [] end)) as source_record_ids,
        combine as outcome_logic,
        data_used as data_test_ran,
        case when data_used then data_met end as data_test_met,
        achieved_date as recorded_outcome_date
    from decided
)
select * from final

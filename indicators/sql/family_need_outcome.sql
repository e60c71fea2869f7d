-- family_need_outcome: for every identified need, whether its outcome is met, when, how.
-- grain: case_id, criterion, need_person
-- SPEC section 3. How a criterion's data test (outcome_data_test) and a recorded outcome
-- (eh_outcomes, of the evidence kinds the plan accepts) combine is the plan's outcome_logic
-- (plan_outcome_logic): recorded; data_else_recorded; data_or_recorded (AND/OR);
-- data_and_recorded (AND). A data test that cannot run for lack of data falls back to a
-- recorded outcome and says so. A recorded outcome answers the need of the person it
-- names (blank = the whole family, answering every member's need under the criterion),
-- dated from the need's identification to the case's closure (SPEC section 3; 000:
-- "All outcomes must be achieved and evidenced at case closure"). Frozen columns:
-- case_id .. source_record_ids; the rest are added for the evidence sheet.
with outcome_row as (
    -- Whom a recorded outcome names: a linked member, a member who links to no one
    -- ('?' + source_person_id, answering that member's need only) or the whole family
    -- (blank). One naming someone not on the case counts for nothing (SPEC section 3;
    -- reported by recorded_not_member).
    select
        o.case_id,
        o.criterion,
        case when nullif(trim(o.source_person_id), '') is null then ''
             else coalesce(m.person_id, '?' || o.source_person_id) end as outcome_person,
        o.achieved_date,
        o.evidence,
        o.source_record_id
    from stg_eh_outcomes o
    join plan_outcome_logic l using (criterion)
    left join family_member m
      on m.case_id = o.case_id and m.source_person_id = o.source_person_id
    where o.achieved_date <= $as_of
      and list_contains(l.evidence, o.evidence)
      and (nullif(trim(o.source_person_id), '') is null or m.case_id is not null)
),
need_window as (
    -- SPEC section 3: a recorded outcome counts when dated on or after the need's
    -- identification and no later than the case's closure (plus $outcome_grace_days).
    select
        n.case_id,
        n.criterion,
        n.need_person,
        n.identified_date,
        cast(coalesce(c.closed_date + to_days($outcome_grace_days), $as_of::date) as date)
            as outcome_deadline
    from family_need n
    join case_current c using (case_id)
),
recorded_kind as (
    -- the earliest answering outcome of each evidence kind, per need
    select
        w.case_id,
        w.criterion,
        w.need_person,
        o.evidence,
        min(o.achieved_date) as achieved_date,
        list(o.source_record_id order by o.source_record_id) as source_record_ids
    from need_window w
    join outcome_row o
      on o.case_id = w.case_id and o.criterion = w.criterion
     and (o.outcome_person = '' or o.outcome_person = w.need_person)
     and o.achieved_date >= w.identified_date
     and o.achieved_date <= w.outcome_deadline
    group by all
),
recorded as (
    -- evidence_match any: one answering outcome of a listed kind; all: one of each kind
    select
        r.case_id,
        r.criterion,
        r.need_person,
        case when any_value(l.evidence_match) = 'all' then max(r.achieved_date)
             else min(r.achieved_date) end as achieved_date,
        string_agg(r.evidence, ', ' order by r.evidence) as evidence,
        list_sort(flatten(list(r.source_record_ids))) as source_record_ids
    from recorded_kind r
    join plan_outcome_logic l using (criterion)
    group by r.case_id, r.criterion, r.need_person
    having any_value(l.evidence_match) = 'any'
        or count(distinct r.evidence) = len(list_distinct(any_value(l.evidence)))
),
joined as (
    select
        n.*,
        l.combine,
        coalesce(d.test_ran, false) as test_ran,
        coalesce(d.partial, false) as partial,
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
    left join recorded r using (case_id, criterion, need_person)
),
decided as (
    select
        *,
        combine <> 'recorded' and test_ran as data_used,
        -- a test that ran for some of the people it reads but had no data for others
        -- (`partial`: a child without attendance, a member who links to no one) decides
        -- for those it read, and the rest falls back to a recorded outcome: the recorded
        -- outcome is then needed as well, whatever the combine rule
        coalesce(case
            when combine = 'recorded' or not test_ran then has_recorded
            when combine = 'data_else_recorded' then data_met and (not partial or has_recorded)
            when combine = 'data_or_recorded' then (data_met and not partial) or has_recorded
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
            when combine = 'data_else_recorded' and partial
                then greatest(data_met_date, achieved_date)
            when combine = 'data_else_recorded' then data_met_date
            when combine = 'data_or_recorded'
                then least(case when data_met then data_met_date end, achieved_date)
            else greatest(data_met_date, achieved_date)
        end as met_date,
        case
            when combine = 'recorded' or not has_test then recorded_text
            when not test_ran then 'no data for the data test; ' || recorded_text
            when combine = 'data_else_recorded' and partial
                then 'data test: ' || test || ' and ' || recorded_text
            when combine = 'data_else_recorded' then 'data test: ' || test
            when combine = 'data_or_recorded' then 'data test: ' || test || ' or ' || recorded_text
            else 'data test: ' || test || ' and ' || recorded_text
        end as outcome_test,
        list_sort(list_concat(
            source_record_ids,
            case when data_used then coalesce(data_rows, []) else [] end,
            case when combine <> 'data_else_recorded' or not data_used or partial
                 then coalesce(recorded_rows, []) else [] end)) as source_record_ids,
        combine as outcome_logic,
        data_used as data_test_ran,
        case when data_used then data_met end as data_test_met,
        achieved_date as recorded_outcome_date
    from decided
)
select * from final

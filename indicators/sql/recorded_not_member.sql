-- recorded_not_member: needs and outcomes recorded on a case that name someone not on it.
-- grain: source_record_id
-- SPEC section 3: "A recorded need or outcome that names someone who is not a member of the
-- case counts for nothing (it is reported as a data problem)." need_recorded and
-- family_need_outcome leave these rows out; this model lists them so the claim decision
-- can report them (claim_decision.data_problems, gate 2's reason). The person is named by
-- the row's id only: a source person key may be derived from a national identifier
-- (SPEC section 1), which never leaves the warehouse.
with recorded as (
    select case_id, 'need' as kind, criterion, source_person_id, identified_date as dated,
           source_record_id
    from stg_eh_needs
    where identified_date <= $as_of
    union all
    select case_id, 'outcome', criterion, source_person_id, achieved_date, source_record_id
    from stg_eh_outcomes
    where achieved_date <= $as_of
),
final as (
    select
        r.case_id,
        r.kind,
        r.criterion,
        r.dated,
        r.source_record_id,
        'data problem: a recorded ' || r.kind || ' of ' || r.criterion || ' (row '
            || r.source_record_id || ') names someone who is not a member of the case; '
            || 'it counts for nothing' as problem
    from recorded r
    join case_current c using (case_id)
    where nullif(trim(r.source_person_id), '') is not null
      and not exists (
          select 1 from family_member m
          where m.case_id = r.case_id and m.source_person_id = r.source_person_id)
)
select * from final

-- case_current: one row per early help case as it stood on the as-of date.
-- grain: case_id
-- A case row re-sent in a later extract replaces the earlier one (latest load wins); a
-- closure dated after the as-of date is not yet known, so the case counts as open
-- (SPEC section 6: a claim considers only rows dated on or before its as-of date).
with loaded as (
    select c.*, b.load_seq
    from stg_eh_cases c
    join load_batch b using (batch_id)
    where c.opened_date <= $as_of
),
latest as (
    select * from loaded
    qualify row_number() over (partition by case_id order by load_seq desc, row_number desc) = 1
),
final as (
    select
        case_id,
        family_ref,
        'F' || substr(md5(family_ref), 1, 10) as family_id,
        nullif(trim(lead_practitioner), '') as lead_practitioner,
        opened_date,
        case when whole_family_assessment_date <= $as_of
             then whole_family_assessment_date end as whole_family_assessment_date,
        case when action_plan_date <= $as_of then action_plan_date end as action_plan_date,
        case when closed_date <= $as_of then closed_date end as closed_date,
        source_record_id
    from latest
)
select * from final

-- worklist_case: each worklist family as the case the need models read.
-- grain: case_id (= candidate_family_id)
-- The columns of indicators/sql/case_current.sql, so the registry's need models
-- (indicators/criteria.yaml) find a family's needs with the same SQL that finds a case's:
-- the "case" opens on the window's start and is still open on the as-of date. It has no
-- practitioner, assessment or plan: it is not a case, only the window its data is read in.
with final as (
    select
        candidate_family_id as case_id,
        candidate_family_id as family_ref,
        candidate_family_id as family_id,
        null::varchar as lead_practitioner,
        window_start as opened_date,
        null::date as whole_family_assessment_date,
        null::date as action_plan_date,
        null::date as closed_date,
        null::varchar as source_record_id
    from worklist_family
)
select * from final

-- worklist_need: each need a worklist family's data shows, with its evidence.
-- grain: candidate_family_id, criterion, person_id
-- The needs are family_need's rows for the worklist families: the registry's need models
-- (indicators/sql/need_*.sql) run over each family's window (worklist_case,
-- worklist_member), so the worklist applies the claim's own rules, with the plan's
-- derived_in_this_release. The evidence is the feed the criterion is found in, the first
-- and last date of the rows behind it (`worklist_source_date`: each staged row's date;
-- a CSC plan's is the day it was last open) and the measure the need model wrote
-- (identified_by: "police: 2 crime/ASB incident(s) from 2025-02-03").
with need as (
    select
        n.case_id as candidate_family_id,
        n.criterion,
        n.need_person as person_id,
        n.identified_date,
        n.identified_by,
        n.source_record_ids
    from family_need n
),
row_date as (
    select n.candidate_family_id, n.criterion, n.person_id,
           min(d.row_date) as first_evidence, max(d.row_date) as last_evidence
    from need n
    cross join unnest(n.source_record_ids) as r(source_record_id)
    join worklist_source_date d using (source_record_id)
    group by all
),
final as (
    select
        n.candidate_family_id,
        n.criterion,
        p.headline,
        n.person_id,
        p.derived_from as feed,
        coalesce(r.first_evidence, n.identified_date) as first_evidence,
        coalesce(r.last_evidence, n.identified_date) as last_evidence,
        n.identified_by as measure,
        n.source_record_ids
    from need n
    join plan_criterion p using (criterion)
    left join row_date r using (candidate_family_id, criterion, person_id)
)
select * from final

-- claim_decision: one decision per case on the as-of date, with every failed gate.
-- grain: case_id
-- A near miss is a case whose every failed gate is only waiting for a date (the 6-month
-- window after closure, the 2 years since the last claim): `earliest_pass_date` is the
-- latest of those dates. `still_needs` says what every failed gate still needs.
-- `data_problems` lists recorded needs and outcomes that name someone not on the case.
with needs as (
    select n.case_id,
           string_agg(distinct n.criterion, ', ' order by n.criterion) as needs,
           string_agg(distinct p.headline, ', ' order by p.headline) as headline_outcomes,
           count(distinct p.headline) as headline_count
    from family_need_outcome n
    join plan_criterion p using (criterion)
    group by n.case_id
),
gates as (
    select case_id,
           bool_and(passed) as claimed,
           string_agg('gate ' || gate || ': ' || reason, ' | ' order by gate)
               filter (where not passed) as reasons,
           string_agg(cast(gate as varchar), ',' order by gate) filter (where not passed)
               as failed_gates,
           case when bool_and(passed or passes_from is not null)
                then max(passes_from) filter (where not passed) end as earliest_pass_date,
           string_agg('gate ' || gate || ': ' || still_needs, ' | ' order by gate)
               filter (where not passed) as still_needs
    from claim_gate
    group by case_id
),
problems as (
    -- SPEC section 3: recorded needs and outcomes naming someone not on the case, reported
    -- as data problems whatever the decision
    select case_id, string_agg(problem, '; ' order by source_record_id) as data_problems
    from recorded_not_member
    group by case_id
),
final as (
    select
        c.family_id,
        c.case_id,
        g.claimed,
        coalesce(n.needs, '') as needs,
        coalesce(n.headline_outcomes, '') as headline_outcomes,
        coalesce(n.headline_count, 0) as headline_count,
        case when g.claimed and r.reclaim then 'yes' else 'no' end as reclaim,
        case when g.claimed then coalesce(r.reclaim_basis, '') else '' end as reclaim_basis,
        coalesce(g.failed_gates, '') as failed_gates,
        coalesce(g.reasons, '') as reasons,
        g.earliest_pass_date,
        coalesce(g.still_needs, '') as still_needs,
        coalesce(p.data_problems, '') as data_problems
    from case_current c
    join gates g using (case_id)
    left join needs n using (case_id)
    left join claim_reclaim r using (case_id)
    left join problems p using (case_id)
)
select * from final order by family_id, case_id

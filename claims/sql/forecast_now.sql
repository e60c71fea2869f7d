-- forecast_now: the claim step's decision on the as-of date, as the forecast starts from.
-- grain: case_id
-- claim_decision with what the forecast also needs of each case: its dates, the family it
-- is claimed with (claim_family.family_key: cases sharing a family_ref or a linked member),
-- whether the case itself was claimed before (never again, gate 7) and gate 7's own wait.
with gate7 as (
    select case_id, not passed as gate7_failed, passes_from as gate7_passes_from
    from claim_gate
    where gate = 7
),
final as (
    select
        d.family_id,
        f.family_key,
        d.case_id,
        c.opened_date,
        c.closed_date,
        d.claimed,
        r.case_claim_key is not null as claimed_before,
        d.failed_gates,
        d.still_needs,
        d.earliest_pass_date,
        g.gate7_failed,
        g.gate7_passes_from,
        d.needs,
        d.headline_outcomes
    from claim_decision d
    join case_current c using (case_id)
    join claim_family f using (case_id)
    join claim_reclaim r using (case_id)
    join gate7 g using (case_id)
)
select * from final

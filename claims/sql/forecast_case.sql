-- forecast_case: each open or recently closed case, what it still needs, and when the claim
-- step would first claim it if nothing in its data changes.
-- grain: case_id
-- The claim step's own near-miss logic, carried forward (000_4ab8a62d9effddd8.txt,
-- "Submitting successful family outcomes": closed for 6 months, no re-referral; SPEC
-- section 4). `forecast_now` is the claim decision on the as-of date; `forecast_horizon`
-- is the same claim step decided again at each of the next quarter ends on the data known
-- on the as-of date (claims/forecast.py), so a closure window ending, a re-claim window
-- opening, an incident ageing out of the crime test's latest $sustainment_months all count,
-- and nothing that has not happened yet does. In scope: every case open on the as-of date
-- and every case closed in the $forecast_closed_months before it.
-- `earliest_pass_date`: the as-of date for a case that passes now; the claim step's near-
-- miss date for one that waits only for a date (gates 5 and 7); for an open case, the day
-- its $months_closed_before_claim-month closure window would end if it closed on the as-of
-- date (and any re-claim window it waits for); otherwise none.
with horizon as (
    select case_id, min(quarter_end) filter (where claimed) as claimable_by
    from forecast_horizon
    group by case_id
),
family_first as (
    -- the case through which each family is first expected to be claimed
    select n.family_key, arg_min(n.case_id, (h.claimable_by, n.case_id)) as through_case,
           min(h.claimable_by) as family_by
    from forecast_now n
    join horizon h using (case_id)
    where h.claimable_by is not null
    group by n.family_key
),
scoped as (
    select *
    from forecast_now
    where closed_date is null
       or closed_date > $as_of::date - to_months($forecast_closed_months)
),
final as (
    select
        s.family_id,
        s.family_key,
        s.case_id,
        case when s.closed_date is null then 'open' else 'closed' end as status,
        s.opened_date,
        s.closed_date,
        case
            when s.claimed_before then 'claimed before: a case is claimed once'
            when s.claimed then 'claimable now'
            when h.claimable_by is not null then 'expected: only time stands in the way'
            when f.through_case is not null
                then 'its family is expected to be claimed by '
                     || strftime(f.family_by, '%Y-%m-%d') || ' through case ' || f.through_case
            when s.closed_date is null then 'open: could pass once closed, if what it still needs is met'
            else 'not expected: needs more than time'
        end as outlook,
        h.claimable_by,
        case
            when s.claimed_before then null
            when s.claimed then $as_of::date
            when s.earliest_pass_date is not null then s.earliest_pass_date
            when s.closed_date is null and (not s.gate7_failed or s.gate7_passes_from is not null)
                then greatest(cast($as_of::date + to_months($months_closed_before_claim) as date),
                              s.gate7_passes_from)
        end as earliest_pass_date,
        s.failed_gates,
        s.still_needs,
        s.needs,
        s.headline_outcomes
    from scoped s
    left join horizon h using (case_id)
    left join family_first f using (family_key)
)
select * from final

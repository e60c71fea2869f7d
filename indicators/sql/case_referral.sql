-- case_referral: every referral into services after a case closed, for any of its members.
-- grain: case_id, source_record_id
-- Source: 000_4ab8a62d9effddd8.txt, "no accepted re-referral into early help or children's
-- social care for a minimum of six months since closure of the family plan" (claim gate 5);
-- 001_c8a4eb03005f1d3d.txt, SAF2 and DA1-3: "no referral into services for 6 months
-- following closure" (accepted or not). SPEC section 4: a new early help case opened for
-- any member (or the same family_ref) is a re-referral too. A referral counts when dated
-- after the closure date and no later than $referral_check_months after it (and the as-of
-- date); a new early help case counts from the closure date itself: a case opened for a
-- member on the day the last one closed is a re-referral, not a transfer (issue 23 item
-- 12, docs/interpretations.md), one opened the day before overlaps it (claim gate 7
-- decides which of the family's cases is claimed). `accepted` is the referral's own flag; a new case is an accepted referral. A
-- re-referral of this case is another case's row: an incremental derive lets this model
-- read the cases related to the affected ones too (indicators/incremental.py).
with closed as (
    select case_id, family_ref, closed_date,
           cast(closed_date + to_months($referral_check_months) as date) as window_end
    from case_current
    where closed_date is not null
),
referral as (
    select distinct
        c.case_id,
        'referral' as kind,
        r.referral_date,
        r.service,
        r.accepted,
        r.source_record_id
    from closed c
    join family_member m using (case_id)
    join person_referral r on r.person_id = m.person_id
    where r.referral_date > c.closed_date and r.referral_date <= c.window_end
),
related_case as (
    -- other cases sharing a linked member or the family_ref (equi-joins: a council's cases
    -- are never paired all with all)
    select m.case_id, n.case_id as other_case
    from family_member m
    join family_member n on n.person_id = m.person_id and n.case_id <> m.case_id
    where m.case_id in (select case_id from closed)
    union
    select c.case_id, o.case_id as other_case
    from closed c
    join case_current o on o.family_ref = c.family_ref and o.case_id <> c.case_id
),
new_case as (
    select distinct
        c.case_id,
        'new early help case' as kind,
        o.opened_date as referral_date,
        'early_help' as service,
        true as accepted,
        o.source_record_id
    from closed c
    join related_case r on r.case_id = c.case_id
    join case_current o on o.case_id = r.other_case
    where o.opened_date >= c.closed_date and o.opened_date <= c.window_end
),
final as (
    select * from referral
    union all
    select * from new_case
)
select * from final

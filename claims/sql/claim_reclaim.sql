-- claim_reclaim: each case's earlier claims, and whether it may be claimed (again).
-- grain: case_id
-- Source: 000_4ab8a62d9effddd8.txt, "Reclaiming for families": "A second claim may
-- therefore be made for a family receiving support in the following circumstances: It
-- has been at least two years since a claim was made ... Any re-claims must relate to
-- families recently worked with, families should have been open to services with support
-- ongoing in the last two years." and "Significant change in family composition" (a
-- former child now has children of their own; an adult has left and joined a new family).
-- SPEC section 4, gate 7: a case that was claimed is never claimed again; a re-claim is
-- for a case with support ongoing in the $reclaim_recent_support_months before the as-of
-- date, and needs $reclaim_after_months since the family's last claim or a change of
-- composition shown by linked people. A member of the earlier claim who links to nobody
-- now is no evidence of change, nor is a member of this case who links to nobody: the case
-- is sent to clerical review instead. A change counts only after the last claim (000: both
-- examples come after it): on a case opened after the claim's date, against the family as
-- it stood then (the claim's members and those of the family's cases opened by then).
-- Which adults joining count is a plan setting ($other_adult_joining_is_change).
-- An earlier claim concerns this case when it has the same family ID or shares any linked
-- person (claim_history and claim_history_member are prepared by claims/ledger.py from the
-- ledger, holding only claims dated before the as-of date; docs/claims.md).
with member_now as (
    select case_id, person_id, role,
           role in ('parent_carer', 'expectant_parent', 'other_adult') as adult
    from family_member
    where person_id is not null
),
related as (
    select c.case_id, h.claim_key, h.claim_ref, h.claim_date
    from case_current c
    join claim_history h on h.family_id = c.family_id
    union
    select m.case_id, h.claim_key, h.claim_ref, h.claim_date
    from member_now m
    join claim_history_member hm on hm.person_id = m.person_id
    join claim_history h on h.claim_key = hm.claim_key
),
uncertain_claim as (
    -- an earlier claim this case would concern if a pair awaiting clerical review were one
    -- person (claim_uncertain_pair): SPEC section 4, not claimed until the pair is decided
    select m.case_id, min(h.claim_date) as claim_date
    from member_now m
    join claim_uncertain_pair u on u.person_id_l = m.person_id
    join claim_history_member hm on hm.person_id = u.person_id_r
    join claim_history h on h.claim_key = hm.claim_key
    group by m.case_id
    union all
    select m.case_id, min(h.claim_date) as claim_date
    from member_now m
    join claim_uncertain_pair u on u.person_id_r = m.person_id
    join claim_history_member hm on hm.person_id = u.person_id_l
    join claim_history h on h.claim_key = hm.claim_key
    group by m.case_id
),
last_claim as (
    select * from related
    qualify row_number() over (partition by case_id order by claim_date desc, claim_key desc) = 1
),
case_claimed as (
    -- this very case was claimed before: never again (SPEC section 4, gate 7)
    select case_id, claim_key, claim_date
    from claim_history
    where case_id is not null
    qualify row_number() over (partition by case_id order by claim_date, claim_key) = 1
),
then_member as (
    select l.case_id, hm.person_id, hm.role,
           hm.role in ('parent_carer', 'expectant_parent', 'other_adult') as adult
    from last_claim l
    join claim_history_member hm on hm.claim_key = l.claim_key
),
family_then as (
    -- the family as it stood at its last claim: the claim's members and the members of every
    -- case of that family (its family ID, or a case holding a member of the claim) opened
    -- on or before the claim's date. Someone already in it is no change (SPEC section 4).
    select case_id, person_id from then_member where person_id is not null
    union
    select l.case_id, fm.person_id
    from last_claim l
    join claim_history h on h.claim_key = l.claim_key
    join case_current oc on oc.family_id = h.family_id and oc.opened_date <= l.claim_date
    join family_member fm on fm.case_id = oc.case_id and fm.person_id is not null
    union
    select t.case_id, fm.person_id
    from then_member t
    join last_claim l using (case_id)
    join family_member om on om.person_id = t.person_id
    join case_current oc on oc.case_id = om.case_id and oc.opened_date <= l.claim_date
    join family_member fm on fm.case_id = oc.case_id and fm.person_id is not null
),
unlinked_now as (
    select case_id, count(*) as members
    from family_member
    where person_id is null
    group by case_id
),
change as (
    select
        c.case_id,
        -- 000's examples both happen after the claim: the case must have opened after it
        c.opened_date > l.claim_date as opened_after_claim,
        -- a parent on the case now who was not in the family at the claim (a new partner; the
        -- claimed family's adult who joined a new family); another adult (a grandparent,
        -- a lodger) only when the plan counts it ($other_adult_joining_is_change)
        exists (select 1 from member_now m where m.case_id = c.case_id
                and (m.role in ('parent_carer', 'expectant_parent')
                     or (m.role = 'other_adult' and $other_adult_joining_is_change))
                and m.person_id not in (select f.person_id from family_then f
                                        where f.case_id = c.case_id)) as adult_joined,
        -- a linked adult of the last claim who is not on the case now (one who left)
        exists (select 1 from then_member t where t.case_id = c.case_id and t.adult
                and t.person_id is not null
                and t.person_id not in (select m.person_id from member_now m
                                        where m.case_id = c.case_id)) as adult_left,
        -- a child of the last claim who is now a parent on this case
        exists (select 1 from then_member t join member_now m using (case_id, person_id)
                where t.case_id = c.case_id and t.role = 'child'
                  and m.role in ('parent_carer', 'expectant_parent')) as child_now_parent,
        (select count(*) from then_member t
         where t.case_id = c.case_id and t.person_id is null) as unlinked_then,
        coalesce(u.members, 0) as unlinked_now
    from case_current c
    join last_claim l using (case_id)
    left join unlinked_now u using (case_id)
),
judged as (
    select
        c.case_id,
        c.closed_date,
        l.claim_key,
        l.claim_ref,
        l.claim_date as last_claim_date,
        cast(l.claim_date + to_months($reclaim_after_months) as date) as reclaim_from,
        k.claim_key as case_claim_key,
        k.claim_date as case_claim_date,
        -- a change must be shown by linked people: a member on either side who links to no
        -- one might be the very adult who seems to have joined or left (clerical review)
        coalesce(ch.opened_after_claim and ((ch.adult_joined and ch.unlinked_then = 0)
                 or (ch.adult_left and ch.unlinked_now = 0)), false) as adults_changed,
        coalesce(ch.opened_after_claim and ch.child_now_parent, false) as child_now_parent,
        coalesce(ch.opened_after_claim, true) as opened_after_claim,
        coalesce(ch.unlinked_then, 0) as unlinked_then,
        coalesce(ch.unlinked_now, 0) as unlinked_now,
        c.closed_date is null
            or c.closed_date > $as_of::date - to_months($reclaim_recent_support_months)
            as recent_support,
        (select min(u.claim_date) from uncertain_claim u where u.case_id = c.case_id)
            as uncertain_claim_date
    from case_current c
    left join last_claim l using (case_id)
    left join case_claimed k using (case_id)
    left join change ch using (case_id)
),
final as (
    select
        case_id,
        claim_key,
        claim_ref,
        last_claim_date,
        reclaim_from,
        case_claim_key,
        claim_key is not null and (adults_changed or child_now_parent) as composition_changed,
        case_claim_key is null
            and (claim_key is null
                 or ((reclaim_from <= $as_of or adults_changed or child_now_parent)
                     and recent_support))
            and (uncertain_claim_date is null or claim_key is not null) as passed,
        case_claim_key is null and claim_key is not null and recent_support
            and (reclaim_from <= $as_of or adults_changed or child_now_parent) as reclaim,
        case
            when claim_key is null then null
            when reclaim_from <= $as_of then 'last claimed ' || strftime(last_claim_date, '%Y-%m-%d')
                || ', ' || $reclaim_after_months || '+ months before'
            when child_now_parent then 'a former child of the family claimed on '
                || strftime(last_claim_date, '%Y-%m-%d') || ' is now a parent'
            when adults_changed then 'the adults differ from the family claimed on '
                || strftime(last_claim_date, '%Y-%m-%d')
        end as reclaim_basis,
        case
            when case_claim_key is not null
                then 'this case was already claimed on ' || strftime(case_claim_date, '%Y-%m-%d')
                     || ' (claim ' || case_claim_key || '); a case is claimed once'
            when claim_key is null and uncertain_claim_date is not null
                then 'a member may be one of the family claimed on '
                     || strftime(uncertain_claim_date, '%Y-%m-%d') || ': the pair of records '
                     || 'awaits clerical review, and the case is not claimed until it is decided'
            when claim_key is null then null
            when not recent_support
                then 'the family was claimed on ' || strftime(last_claim_date, '%Y-%m-%d')
                     || coalesce(' (claim ' || claim_ref || ')', '')
                     || '; a re-claim must be for a case with support ongoing in the '
                     || $reclaim_recent_support_months || ' months before the as-of date (closed '
                     || strftime(closed_date, '%Y-%m-%d') || ')'
            else 'already claimed on ' || strftime(last_claim_date, '%Y-%m-%d')
                 || coalesce(' (claim ' || claim_ref || ')', '')
                 || '; a re-claim needs ' || $reclaim_after_months
                 || ' months (from ' || strftime(reclaim_from, '%Y-%m-%d')
                 || ') or a significant change of family composition'
                 || case when not opened_after_claim
                         then '; the case opened before that claim: a change of composition '
                              || 'must come after it'
                         else '' end
                 || case when unlinked_then > 0
                         then '; ' || unlinked_then || ' member(s) of that claim link to no one '
                              || 'now: a question for clerical review, not evidence of a change'
                         else '' end
                 || case when unlinked_now > 0
                         then '; ' || unlinked_now || ' member(s) of this case link to no one: '
                              || 'a question for clerical review, not evidence of a change'
                         else '' end
        end as reason,
        -- only time stands in the way: the two years pass while support is still recent
        case when case_claim_key is null and claim_key is not null and recent_support
                  and reclaim_from > $as_of
                  and (closed_date is null or closed_date
                       > reclaim_from - to_months($reclaim_recent_support_months))
             then reclaim_from end as passes_from,
        case
            when case_claim_key is not null then 'a new case (this one was claimed)'
            when claim_key is null and uncertain_claim_date is not null
                then 'clerical review of the pair linking a member to the family claimed on '
                     || strftime(uncertain_claim_date, '%Y-%m-%d')
            when not recent_support then 'a case with support in the last '
                || $reclaim_recent_support_months || ' months'
            else 'the ' || $reclaim_after_months || ' months since the last claim to pass on '
                 || strftime(reclaim_from, '%Y-%m-%d')
                 || case when unlinked_then + unlinked_now > 0
                         then ', or clerical review of the members who link to no one'
                         else '' end
        end as still_needs
    from judged
)
select * from final

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
-- now is no evidence of change: the case is sent to clerical review instead.
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
change as (
    select
        c.case_id,
        -- an adult on the case now who was nobody on the last claim (a new partner)
        exists (select 1 from member_now m where m.case_id = c.case_id and m.adult
                and m.person_id not in (select t.person_id from then_member t
                                        where t.case_id = c.case_id
                                          and t.person_id is not null)) as adult_joined,
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
         where t.case_id = c.case_id and t.person_id is null) as unlinked_then
    from case_current c
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
        ch.adult_joined or ch.adult_left as adults_changed,
        ch.child_now_parent,
        ch.unlinked_then,
        c.closed_date is null
            or c.closed_date > $as_of::date - to_months($reclaim_recent_support_months)
            as recent_support
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
                     and recent_support)) as passed,
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
                 || case when unlinked_then > 0
                         then '; ' || unlinked_then || ' member(s) of that claim link to no one '
                              || 'now: a question for clerical review, not evidence of a change'
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
            when not recent_support then 'a case with support in the last '
                || $reclaim_recent_support_months || ' months'
            else 'the ' || $reclaim_after_months || ' months since the last claim to pass on '
                 || strftime(reclaim_from, '%Y-%m-%d')
                 || case when unlinked_then > 0
                         then ', or clerical review of the members who link to no one'
                         else '' end
        end as still_needs
    from judged
)
select * from final

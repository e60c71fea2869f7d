-- claim_reclaim: each case's last earlier claim, and whether it may be claimed (again).
-- grain: case_id
-- Source: 000_4ab8a62d9effddd8.txt, "Reclaiming for families" and "Significant change in
-- family composition": a second claim needs at least two years since the last claim, or a
-- significant change of composition (a former child now has children of their own; an
-- adult has left and joined a new family). SPEC section 4, gate 7: a different set of
-- adults, or a former child now a parent.
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
adults_now as (
    select case_id, list_sort(list(distinct person_id)) as adults
    from member_now where adult group by case_id
),
adults_then as (
    -- An adult of an earlier claim who links to nobody now is not on the case now: the set of
    -- adults differs (SPEC section 4, gate 7; docs/interpretations.md).
    select claim_key,
           list_sort(list(distinct person_id) filter (where person_id is not null)) as adults,
           count(*) filter (where person_id is null) as unlinked_adults
    from claim_history_member
    where role in ('parent_carer', 'expectant_parent', 'other_adult')
    group by claim_key
),
child_now_parent as (
    select l.case_id, count(*) as former_children
    from last_claim l
    join claim_history_member hm on hm.claim_key = l.claim_key and hm.role = 'child'
    join member_now m
      on m.case_id = l.case_id and m.person_id = hm.person_id
     and m.role in ('parent_carer', 'expectant_parent')
    group by l.case_id
),
judged as (
    select
        c.case_id,
        l.claim_key,
        l.claim_ref,
        l.claim_date as last_claim_date,
        cast(l.claim_date + to_months($reclaim_after_months) as date) as reclaim_from,
        coalesce(t.unlinked_adults, 0) > 0
            or coalesce(an.adults, []) <> coalesce(t.adults, []) as adults_changed,
        coalesce(cp.former_children, 0) > 0 as child_now_parent
    from case_current c
    left join last_claim l using (case_id)
    left join adults_now an using (case_id)
    left join adults_then t on t.claim_key = l.claim_key
    left join child_now_parent cp using (case_id)
),
final as (
    select
        case_id,
        claim_key,
        claim_ref,
        last_claim_date,
        reclaim_from,
        claim_key is not null and (adults_changed or child_now_parent) as composition_changed,
        claim_key is null or reclaim_from <= $as_of
            or adults_changed or child_now_parent as passed,
        claim_key is not null and (reclaim_from <= $as_of or adults_changed or child_now_parent)
            as reclaim,
        case
            when claim_key is null then null
            when reclaim_from <= $as_of then 'last claimed ' || strftime(last_claim_date, '%Y-%m-%d')
                || ', ' || $reclaim_after_months || '+ months before'
            when child_now_parent then 'a former child of the family claimed on '
                || strftime(last_claim_date, '%Y-%m-%d') || ' is now a parent'
            when adults_changed then 'the adults differ from the family claimed on '
                || strftime(last_claim_date, '%Y-%m-%d')
        end as reclaim_basis
    from judged
)
select * from final

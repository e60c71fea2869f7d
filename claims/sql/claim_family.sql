-- claim_family: which cases are the same family, for one claim per family per intervention.
-- grain: case_id
-- Source: 000_4ab8a62d9effddd8.txt, "Reclaiming for families": a family is claimed once
-- and again only in the circumstances listed there. SPEC section 4: two cases are the same
-- family when they share a family_ref or any linked member; sameness carries through
-- (case A shares a parent with B, B a child with C: one family). family_key is the first
-- case_id of the family.
with recursive edge as (
    select a.case_id, b.case_id as other_case
    from case_current a
    join case_current b on b.family_ref = a.family_ref
    union
    select m.case_id, n.case_id as other_case
    from family_member m
    join family_member n on n.person_id = m.person_id
    where m.person_id is not null
),
reach(case_id, other_case) as (
    select case_id, case_id from case_current
    union
    select r.case_id, e.other_case
    from reach r
    join edge e on e.case_id = r.other_case
),
final as (
    select case_id, min(other_case) as family_key, count(*) as family_cases
    from reach
    group by case_id
)
select * from final

-- claim_family: which cases are the same family, for one claim per family per intervention.
-- grain: case_id
-- Source: 000_4ab8a62d9effddd8.txt, "Reclaiming for families": a family is claimed once
-- and again only in the circumstances listed there. SPEC section 4: two cases are the same
-- family when they share a family_ref or any linked member; sameness carries through
-- (case A shares a parent with B, B a child with C: one family). family_key is the first
-- case_id of the family. Where sameness rests on a pair of people still awaiting clerical
-- review (claim_uncertain_pair), `uncertain_with` names the first case it would join: gate
-- 7 claims neither until the pair is decided (SPEC section 4; issue 23 item 10).
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
uncertain_edge as (
    -- a member of one case and a member of another whose sameness awaits clerical review
    select m.case_id, n.case_id as other_case
    from family_member m
    join claim_uncertain_pair u on u.person_id_l = m.person_id
    join family_member n on n.person_id = u.person_id_r
    union
    select m.case_id, n.case_id as other_case
    from family_member m
    join claim_uncertain_pair u on u.person_id_r = m.person_id
    join family_member n on n.person_id = u.person_id_l
),
reach(case_id, other_case) as (
    select case_id, case_id from case_current
    union
    select r.case_id, e.other_case
    from reach r
    join edge e on e.case_id = r.other_case
),
reach_uncertain(case_id, other_case) as (
    select case_id, case_id from case_current
    union
    select r.case_id, e.other_case
    from reach_uncertain r
    join (select * from edge union select * from uncertain_edge) e on e.case_id = r.other_case
),
uncertain as (
    -- cases that are the same family only if a pair awaiting review is one person
    select u.case_id, min(u.other_case) as uncertain_with
    from reach_uncertain u
    anti join reach r on r.case_id = u.case_id and r.other_case = u.other_case
    group by u.case_id
),
final as (
    select r.case_id, min(r.other_case) as family_key, count(*) as family_cases,
           any_value(u.uncertain_with) as uncertain_with
    from reach r
    left join uncertain u using (case_id)
    group by r.case_id
)
select * from final

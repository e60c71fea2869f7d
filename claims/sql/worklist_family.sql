-- worklist_family: the candidate families the worklist may list, each as a window to read
-- its members' data in.
-- grain: candidate_family_id
-- Who: a candidate family (matching/families.py: people tied by a housing household, an
-- address in the same year, or a parent and child on one case) with a dependent child
-- (aged $dependent_child_max_age or under on the as-of date: 000_4ab8a62d9effddd8.txt, "all
-- families must also include a dependent child") and no member on an early help case
-- that is open on the as-of date or closed in the $worklist_case_closed_months before it
-- (those families are known to early help already). The window is the
-- $worklist_need_months months to the as-of date: the need models run over it as if a
-- case had been open across it (claims/worklist.py), so each need keeps one definition.
with member as (
    select f.candidate_family_id, f.person_id, p.age_on_as_of
    from candidate_family f
    join worklist_person p using (person_id)
),
known_to_early_help as (
    select distinct m.person_id
    from family_member m
    join case_current c using (case_id)
    where m.person_id is not null
      and (c.closed_date is null
           or c.closed_date > $as_of::date - to_months($worklist_case_closed_months))
),
family as (
    select
        candidate_family_id,
        count(*) as members,
        count(*) filter (where age_on_as_of between 0 and $dependent_child_max_age)
            as dependent_children,
        count(*) filter (where person_id in (select person_id from known_to_early_help))
            as members_known
    from member
    group by candidate_family_id
),
final as (
    select
        candidate_family_id,
        members,
        dependent_children,
        cast($as_of::date - to_months($worklist_need_months) as date) as window_start,
        $as_of::date as window_end
    from family
    where dependent_children > 0 and members_known = 0
)
select * from final

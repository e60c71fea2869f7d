-- worklist_member: each person of a worklist family as the case member the need models read.
-- grain: case_id (= candidate_family_id), person_id
-- The columns of indicators/sql/family_member.sql. Without a case there is no recorded
-- role: a member under $adult_age on the as-of date is a child (the need models read
-- attendance for children only, and split adult from child by age at each event
-- themselves), anyone older an adult.
with final as (
    select
        f.candidate_family_id as case_id,
        f.candidate_family_id as family_id,
        f.person_id as source_person_id,
        f.person_id,
        case when p.age_on_as_of < $adult_age then 'child' else 'adult' end as role,
        p.dob,
        p.age_on_as_of,
        null::varchar as source_record_id
    from candidate_family f
    join worklist_family w using (candidate_family_id)
    join worklist_person p using (person_id)
)
select * from final

-- need_recorded: needs the practitioner recorded on the case.
-- grain: case_id, criterion, need_person (blank = whole family)
-- Source: 000_4ab8a62d9effddd8.txt, "Progress against all headline outcomes": needs found
-- after engagement count as much as those found at identification. SPEC section 3: a need
-- recorded on the case counts only when identified on or before its closure (the as-of
-- date while it is open). A need naming someone who is not a member of the case counts for
-- nothing (SPEC section 3: it is reported as a data problem, recorded_not_member): it is
-- left out here, so it can neither identify a need nor give the family a headline. A need
-- naming a member who links to no one keeps that name ('?' + source_person_id): it is the
-- member's need, and its data test says it has no data for them.
with recorded as (
    select n.*
    from stg_eh_needs n
    join case_current c using (case_id)
    where n.identified_date <= $as_of
      and n.identified_date <= coalesce(c.closed_date, $as_of::date)
),
named as (
    select
        r.*,
        case
            when nullif(trim(r.source_person_id), '') is null then ''
            when m.case_id is null then null
            else coalesce(m.person_id, '?' || r.source_person_id)
        end as need_person
    from recorded r
    left join family_member m
      on m.case_id = r.case_id and m.source_person_id = r.source_person_id
),
final as (
    select
        case_id,
        criterion,
        need_person,
        min(identified_date) as identified_date,
        min(basis) as basis,
        'recorded on the case (' || min(basis) || ')' as identified_by,
        list(source_record_id order by source_record_id) as source_record_ids
    from named
    where need_person is not null
    group by case_id, criterion, need_person
)
select * from final

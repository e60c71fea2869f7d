-- need_recorded: needs the practitioner recorded on the case.
-- grain: case_id, criterion, need_person (blank = whole family)
-- Source: 000_4ab8a62d9effddd8.txt, "Progress against all headline outcomes": needs found
-- after engagement count as much as those found at identification. SPEC section 3: a need
-- recorded on the case counts only when identified on or before its closure (the as-of
-- date while it is open). A need naming someone who is not a member of the case keeps
-- that name ('?' + source_person_id): it is nobody's on the case, never the whole family's.
with recorded as (
    select n.*
    from stg_eh_needs n
    join case_current c using (case_id)
    where n.identified_date <= $as_of
      and n.identified_date <= coalesce(c.closed_date, $as_of::date)
),
final as (
    select
        r.case_id,
        r.criterion,
        coalesce(m.person_id, '?' || r.source_person_id, '') as need_person,
        min(r.identified_date) as identified_date,
        min(r.basis) as basis,
        'recorded on the case (' || min(r.basis) || ')' as identified_by,
        list(r.source_record_id order by r.source_record_id) as source_record_ids
    from recorded r
    left join family_member m
      on m.case_id = r.case_id and m.source_person_id = r.source_person_id
    group by r.case_id, r.criterion, coalesce(m.person_id, '?' || r.source_person_id, '')
)
select * from final

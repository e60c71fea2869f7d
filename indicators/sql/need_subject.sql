-- need_subject: the people an outcome data test looks at for each identified need.
-- grain: case_id, criterion, need_person, person_id
-- A need for one person is tested on that person; a need recorded for the whole family
-- (need_person blank) is tested on every linked member of the case (docs/indicators.md).
with final as (
    select
        n.case_id,
        n.criterion,
        n.need_person,
        n.identified_date,
        w.person_id,
        w.dob,
        w.closed_date
    from family_need n
    join member_window w
      on w.case_id = n.case_id and (n.need_person = '' or w.person_id = n.need_person)
)
select * from final

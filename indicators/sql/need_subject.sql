-- need_subject: the people an outcome data test looks at for each identified need.
-- grain: case_id, criterion, need_person, person_id
-- A need for one person is tested on that person. A need recorded for the whole family
-- (need_person blank) is tested on the case's linked members the criterion is about
-- (registry `about`, plan_criterion): children (under $adult_age on the identification
-- date) for a child's need, adults for an adult's, every member otherwise
-- (docs/indicators.md).
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
    join plan_criterion p using (criterion)
    join member_window w
      on w.case_id = n.case_id and (n.need_person = '' or w.person_id = n.need_person)
    where n.need_person <> ''
       or p.about = 'any'
       or (p.about = 'child') = (date_part('year', age(n.identified_date, w.dob)) < $adult_age)
)
select * from final

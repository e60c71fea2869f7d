-- family_member: the people on each case, with their linked person ID.
-- grain: case_id, source_person_id
-- Case membership defines the family being worked with (SPEC section 1, eh_members).
with members as (
    select m.*, b.load_seq
    from stg_eh_members m
    join load_batch b using (batch_id)
    where m.case_id in (select case_id from case_current)
),
latest as (
    select * from members
    qualify row_number() over (
        partition by case_id, source_person_id order by load_seq desc, row_number desc) = 1
),
final as (
    select
        l.case_id,
        c.family_id,
        l.source_person_id,
        p.person_id,
        l.role,
        l.dob,
        date_diff('year', l.dob, $as_of::date)
            - case when strftime(l.dob, '%m-%d') > strftime($as_of::date, '%m-%d')
                   then 1 else 0 end as age_on_as_of,
        l.source_record_id
    from latest l
    join case_current c using (case_id)
    left join person_link p on p.source = 'eh_members' and p.source_record_id = l.source_record_id
)
select * from final

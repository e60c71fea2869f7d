-- worklist_person: who each person in a candidate family is, as the worklist names them.
-- grain: person_id
-- The identification worklist is a practitioner's list and names the people on it
-- (000_4ab8a62d9effddd8.txt: "At the point of identification, based on information in
-- local data sets, the Jones' are known to have a child who is regularly missing from
-- school and both parents are claiming out of work benefits"). Each person is named from
-- their own linked rows up to the as-of date: the date of birth most of them give (a
-- typo in one row is outvoted), and the name, sex and postcode of the latest dated row
-- (a surname changed on marriage, a move). `worklist_person_row` is every staged person
-- row with its date (claims/worklist.py builds it from the feed contracts).
with person_row as (
    select l.person_id, r.source, r.source_record_id, r.forename, r.surname, r.dob, r.sex,
           r.postcode, r.seen_on
    from worklist_person_row r
    join person_link l using (source, source_record_id)
    where l.person_id in (select person_id from candidate_family)
      and (r.seen_on is null or r.seen_on <= $as_of)
),
dob_vote as (
    select person_id, dob, count(*) as votes
    from person_row
    where dob is not null and dob <= $as_of
    group by all
),
dob as (
    select person_id, dob
    from dob_vote
    qualify row_number() over (partition by person_id order by votes desc, dob) = 1
),
latest as (
    select person_id, forename, surname, sex, postcode
    from person_row
    qualify row_number() over (
        partition by person_id order by seen_on desc nulls last, source, source_record_id) = 1
),
final as (
    select
        l.person_id,
        l.forename,
        l.surname,
        d.dob,
        date_diff('year', d.dob, $as_of::date)
            - case when strftime(d.dob, '%m-%d') > strftime($as_of::date, '%m-%d')
                   then 1 else 0 end as age_on_as_of,
        l.sex,
        l.postcode
    from latest l
    left join dob d using (person_id)
)
select * from final

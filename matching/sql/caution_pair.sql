-- Scored pairs held for a reviewer whatever their score (issue 15: twins and siblings).
-- Grain: one row per pair of {pairs}, with `caution` NULL or the reason it is held.
-- The model's weights assume fields err independently, but a household's members share
-- surname and address, so two of them can outscore the link threshold:
-- * twins or siblings: the same surname, dates of birth at most a year apart, and
--   forenames that are different names (not the same, not a nickname of it, more than one
--   typo apart, not the surname written in its place);
-- * another generation: the same surname and dates of birth more than a year apart that
--   are not a swapped day and month or a one-digit slip (a parent and a child, often of
--   the same or a similar forename).
-- A shared national identifier or the same source's own person key settles it, so those
-- are not held. Nor is a pattern where the model learned that the field at odds is often
-- wrong for one person (`$hold_twins`, `$hold_generations` false, matching/scoring.py:
-- more than 3% of true matches with an outright different forename or date of birth):
-- in such data a difference there is no sign of a second person.
with pair as (
    select * from {pairs}
),
side as (
    select record_id, source, source_person_id, forename, forename_canonical, surname, dob,
           upn, nino, nhs_number
    from {identities}
),
judged as (
    select
        p.*,
        l.forename <> r.forename
            and l.forename_canonical <> r.forename_canonical
            and damerau_levenshtein(l.forename, r.forename) > 1
            and not (l.forename = r.surname and l.surname = r.forename) as other_forename,
        l.surname = r.surname as same_surname,
        abs(date_diff('day', l.dob, r.dob)) <= 366 as born_within_a_year,
        abs(date_diff('day', l.dob, r.dob)) > 366
            and not (year(l.dob) = year(r.dob) and month(l.dob) = day(r.dob)
                     and day(l.dob) = month(r.dob))
            and damerau_levenshtein(cast(l.dob as varchar), cast(r.dob as varchar)) > 1
            as born_apart,
        coalesce(l.upn = r.upn, false) or coalesce(l.nino = r.nino, false)
            or coalesce(l.nhs_number = r.nhs_number, false)
            or coalesce(l.source = r.source and l.source_person_id = r.source_person_id, false)
            as identifier_agrees
    from pair as p
    join side as l on l.record_id = p.record_id_l
    join side as r on r.record_id = p.record_id_r
),
final as (
    select
        * exclude (other_forename, same_surname, born_within_a_year, born_apart,
                   identifier_agrees),
        case
            when identifier_agrees then null
            when $hold_twins and coalesce(other_forename and same_surname
                                          and born_within_a_year, false)
                then 'possible twins or siblings'
            when $hold_generations and coalesce(same_surname and born_apart, false)
                then 'possible parent and child'
        end as caution
    from judged
)
select * from final order by record_id_l, record_id_r

-- Scored pairs held for a reviewer whatever their score (issue 15: twins and siblings).
-- Grain: one row per pair of {pairs}, with `caution` NULL or the reason it is held.
-- Two records with the same surname and a date of birth at most a year apart whose
-- forenames are different names (not the same, not a nickname of it, more than one typo
-- apart, not the surname written in its place) are twins or siblings as often as they
-- are one person with a wrong forename: the model's weights assume fields err
-- independently, and a household's children share everything but the forename. A shared
-- national identifier or the same source's own person key settles it, so those are not
-- held. Nor is anything where the model itself learned that forenames are unreliable
-- (`$hold_twins` false: matching/scoring.py, more than 3% of true matches with an
-- outright different forename): there a different forename is no sign of a twin.
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
        l.surname = r.surname and abs(date_diff('day', l.dob, r.dob)) <= 366 as same_family_age,
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
        * exclude (other_forename, same_family_age, identifier_agrees),
        case when $hold_twins and coalesce(other_forename and same_family_age, false)
                  and not identifier_agrees
             then 'possible twins or siblings' end as caution
    from judged
)
select * from final order by record_id_l, record_id_r

-- measure_attendance_term: each pupil's attendance in each school term.
-- grain: person_id, academic_year, term
-- Source: 001_c8a4eb03005f1d3d.txt, "Getting a good education": attendance over terms.
-- attendance_rate counts authorised absence unless the plan says otherwise
-- ($count_authorised_absence: EDU1, "including authorised absence is optional");
-- attendance_rate_all always counts it (EDU2: "attendance unauthorised and authorised").
-- Rows from several schools or repeated rows in one term are pooled by sessions.
with rows as (
    select
        p.person_id,
        a.academic_year,
        a.term,
        a.term_end,
        a.sessions_possible,
        a.sessions_unauthorised_absence
            + case when $count_authorised_absence then a.sessions_authorised_absence else 0 end
            as sessions_absent,
        a.sessions_unauthorised_absence + a.sessions_authorised_absence as sessions_absent_all,
        a.source_record_id
    from stg_attendance a
    join person_link p on p.source = 'attendance' and p.source_record_id = a.source_record_id
    where a.term_end <= $as_of
),
final as (
    select
        person_id,
        academic_year,
        term,
        any_value(term_end) as term_end,
        -- consecutive terms differ by one: three terms a year from the academic year start
        cast(substr(academic_year, 1, 4) as integer) * 3
            + case term when 'autumn' then 0 when 'spring' then 1 else 2 end as term_seq,
        sum(sessions_possible) as sessions_possible,
        sum(sessions_absent) as sessions_absent,
        sum(sessions_absent_all) as sessions_absent_all,
        1 - sum(sessions_absent) / sum(sessions_possible) as attendance_rate,
        1 - sum(sessions_absent_all) / sum(sessions_possible) as attendance_rate_all,
        list(source_record_id order by source_record_id) as source_record_ids
    from rows
    group by person_id, academic_year, term
)
select * from final

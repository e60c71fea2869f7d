-- child_attendance_latest: each child's attendance over the 2 latest terms, counting only
-- the terms in which the child was of compulsory school age.
-- grain: case_id, source_person_id
-- Source: 000_4ab8a62d9effddd8.txt, "All children in the family have achieved 90%
-- attendance for at least two consecutive terms prior to submission" (claim gate 6) and
-- 001_c8a4eb03005f1d3d.txt, EDU1 "every child in the family over 2 consecutive terms".
-- SPEC section 4: compulsory school age starts the term after the 5th birthday
-- ($compulsory_school_age): a term counts when the birthday falls before the term starts
-- (autumn 1 September, spring 1 January, summer 1 April) and the child is at most
-- $school_age_max on the 31 August before its academic year (Year 11). A child with only
-- the latest term of compulsory school age is judged on that term; one with neither is
-- not in this table (not judged). The terms are the latest 2 completed before the as-of
-- date ("two consecutive terms prior to submission", 000), the pair ending with the last
-- term ended by it (terms dated at their ends: 31 December, 31 March, 31 July), whatever
-- the feed holds: SPEC section 3, a feed covers only the period its batches cover, so a
-- child without rows for those terms has no data (has_data false), never a pass on older
-- terms (issue 23 item 3). $attendance_terms_by is the as-of date, except in the forecast,
-- which judges a later quarter end on the terms ended by the day it is made (the rows it
-- knows: claims/forecast.py).
with as_of_term as (
    select case when month($attendance_terms_by::date) >= 9 then year($attendance_terms_by::date) * 3
                when month($attendance_terms_by::date) <= 3 then (year($attendance_terms_by::date) - 1) * 3 + 1
                else (year($attendance_terms_by::date) - 1) * 3 + 2 end as term_seq
),
ended_term as (
    select case when $attendance_terms_by::date >= case term_seq % 3
                    when 0 then make_date(term_seq // 3, 12, 31)
                    when 1 then make_date(term_seq // 3 + 1, 3, 31)
                    else make_date(term_seq // 3 + 1, 7, 31) end
                then term_seq else term_seq - 1 end as term_seq
    from as_of_term
),
latest as (
    select term_seq from ended_term
),
pair_term as (
    select term_seq - 1 as term_seq from latest
    union all
    select term_seq from latest
),
term_window as (
    select
        term_seq,
        case term_seq % 3 when 0 then make_date(term_seq // 3, 9, 1)
                          when 1 then make_date(term_seq // 3 + 1, 1, 1)
                          else make_date(term_seq // 3 + 1, 4, 1) end as term_start,
        make_date(term_seq // 3, 8, 31) as year_start_eve
    from pair_term
),
child as (
    select case_id, source_person_id, person_id, dob
    from family_member
    where role not in ('parent_carer', 'expectant_parent') and dob is not null
),
judged_term as (
    select c.*, t.term_seq
    from child c
    cross join term_window t
    where cast(c.dob + to_years($compulsory_school_age) as date) < t.term_start
      and date_diff('year', c.dob, t.year_start_eve)
          - case when strftime(c.dob, '%m-%d') > '08-31' then 1 else 0 end
          <= $school_age_max
),
with_attendance as (
    select j.*,
           (j.term_seq // 3) || '/' || right(cast(j.term_seq // 3 + 1 as varchar), 2) || ' '
               || case j.term_seq % 3 when 0 then 'autumn' when 1 then 'spring'
                                      else 'summer' end as term_name,
           a.term_end,
           a.sessions_possible, a.sessions_absent, a.sessions_absent_all, a.attendance_rate,
           a.source_record_ids
    from judged_term j
    left join measure_attendance_term a
      on a.person_id = j.person_id and a.term_seq = j.term_seq
),
final as (
    select
        case_id,
        source_person_id,
        any_value(person_id) as person_id,
        count(*) as judged_terms,
        count(sessions_possible) = count(*) as has_data,
        string_agg(term_name, ' + ' order by term_seq) as terms,
        string_agg(term_name, ' + ' order by term_seq) filter (where sessions_possible is null)
            as terms_without_data,
        max(term_end) as term_end,
        case when count(sessions_possible) = count(*)
             then 1 - sum(sessions_absent) / sum(sessions_possible) end as attendance_rate,
        case when count(sessions_possible) = count(*)
             then 1 - sum(sessions_absent_all) / sum(sessions_possible) end
            as attendance_rate_all,
        arg_max(attendance_rate, term_seq) as latest_term_rate,
        list_sort(flatten(list(source_record_ids) filter (where source_record_ids is not null)))
            as source_record_ids
    from with_attendance
    group by case_id, source_person_id
)
select * from final

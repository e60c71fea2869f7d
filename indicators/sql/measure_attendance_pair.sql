-- measure_attendance_pair: attendance averaged over two consecutive terms.
-- grain: person_id, term_seq (the later term of the pair)
-- Source: 001_c8a4eb03005f1d3d.txt, EDU1 and EDU2 are judged "over 2 consecutive terms";
-- the average pools the sessions of both terms (docs/interpretations.md). attendance_rate
-- follows the plan's authorised-absence setting (EDU1), attendance_rate_all counts every
-- absence (EDU2).
with pairs as (
    select
        later.person_id,
        later.term_seq,
        earlier.academic_year || ' ' || earlier.term || ' + ' || later.academic_year || ' '
            || later.term as terms,
        later.term_end,
        1 - (earlier.sessions_absent + later.sessions_absent)
            / (earlier.sessions_possible + later.sessions_possible) as attendance_rate,
        1 - (earlier.sessions_absent_all + later.sessions_absent_all)
            / (earlier.sessions_possible + later.sessions_possible) as attendance_rate_all,
        list_concat(earlier.source_record_ids, later.source_record_ids) as source_record_ids
    from measure_attendance_term later
    join measure_attendance_term earlier
      on earlier.person_id = later.person_id and earlier.term_seq = later.term_seq - 1
)
select * from pairs

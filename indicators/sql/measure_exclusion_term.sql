-- measure_exclusion_term: school days lost to suspension and exclusion per pupil and term.
-- grain: person_id, term_seq
-- Source: 001_c8a4eb03005f1d3d.txt, "Getting a good education", row 3: "fewer days lost to
-- suspension and exclusion over 2 consecutive terms".
with final as (
    select
        person_id,
        term_seq,
        sum(days_lost) as days_lost,
        count(*) as exclusions,
        count(*) filter (where category = 'permanent') as permanent_exclusions,
        list(source_record_id order by source_record_id) as source_record_ids
    from person_exclusion
    group by person_id, term_seq
)
select * from final

-- person_exclusion: each linked pupil's suspensions and exclusions, with the school term.
-- grain: source_record_id
-- Terms follow the attendance dating (docs/interpretations.md): autumn September-December,
-- spring January-March, summer April-August; term_seq = academic year start * 3 + term.
with final as (
    select
        l.person_id,
        e.start_date,
        e.category,
        e.days_lost,
        case when month(e.start_date) >= 9 then year(e.start_date) * 3
             when month(e.start_date) <= 3 then (year(e.start_date) - 1) * 3 + 1
             else (year(e.start_date) - 1) * 3 + 2 end as term_seq,
        e.source_record_id
    from stg_exclusions e
    join person_link l on l.source = 'exclusions' and l.source_record_id = e.source_record_id
    where e.start_date <= $as_of
)
select * from final

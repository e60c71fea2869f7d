-- outcome_exclusion: EDU3, fewer school days lost to suspension and exclusion.
-- grain: case_id, criterion, need_person
-- Source: 001_c8a4eb03005f1d3d.txt, "Getting a good education" row 3: "fewer days lost to
-- suspension and exclusion over 2 consecutive terms (immediately preceding the claim),
-- reduction threshold can be locally defined". The claim terms are the latest
-- $exclusion_lookback_terms terms ended by the as-of date; the baseline terms are the term
-- of identification and the ones before it. Met when the days lost fall, and by at least
-- $exclusion_days_reduction of the baseline (0 = any fall). A pupil with no rows in a term
-- lost no days in it. A permanent exclusion in the latest terms is no improvement, however
-- few days it is recorded as losing (a permanently excluded pupil leaves the school's roll,
-- so the days lost understate it): the test fails ($permanent_exclusion_fails; issue 23
-- item 8).
with feed as (
    select has_data from feed_coverage where feed = 'exclusions'
),
as_of_term as (
    select
        case when month($as_of::date) >= 9 then year($as_of::date) * 3
             when month($as_of::date) <= 3 then (year($as_of::date) - 1) * 3 + 1
             else (year($as_of::date) - 1) * 3 + 2 end as term_seq
),
latest as (
    -- the latest term whose end date has passed
    select case when $as_of::date >= case term_seq % 3
                    when 0 then make_date(term_seq // 3, 12, 31)
                    when 1 then make_date(term_seq // 3 + 1, 3, 31)
                    else make_date(term_seq // 3 + 1, 7, 31) end
                then term_seq else term_seq - 1 end as term_seq
    from as_of_term
),
subject as (
    select
        s.*,
        case when month(s.identified_date) >= 9 then year(s.identified_date) * 3
             when month(s.identified_date) <= 3 then (year(s.identified_date) - 1) * 3 + 1
             else (year(s.identified_date) - 1) * 3 + 2 end as identified_term
    from need_subject s
    where s.criterion = 'EDU3'
),
per_person as (
    select
        s.case_id,
        s.criterion,
        s.need_person,
        s.person_id,
        coalesce(sum(e.days_lost) filter (
            where e.term_seq > s.identified_term - $exclusion_lookback_terms
              and e.term_seq <= s.identified_term), 0) as days_before,
        coalesce(sum(e.days_lost) filter (
            where e.term_seq > l.term_seq - $exclusion_lookback_terms
              and e.term_seq <= l.term_seq), 0) as days_latest,
        coalesce(sum(e.permanent_exclusions) filter (
            where e.term_seq > l.term_seq - $exclusion_lookback_terms
              and e.term_seq <= l.term_seq), 0) as permanent_latest,
        any_value(l.term_seq) as latest_term,
        flatten(list(e.source_record_ids) filter (where e.source_record_ids is not null))
            as source_record_ids
    from subject s
    cross join latest l
    left join measure_exclusion_term e on e.person_id = s.person_id
    group by all
),
final as (
    select
        r.case_id,
        r.criterion,
        r.need_person,
        any_value(f.has_data) as test_ran,
        bool_and(r.days_latest < r.days_before
                 and r.days_latest <= r.days_before * (1 - $exclusion_days_reduction)
                 and (r.permanent_latest = 0 or not $permanent_exclusion_fails)) as met,
        case any_value(r.latest_term) % 3
            when 0 then make_date(any_value(r.latest_term) // 3, 12, 31)
            when 1 then make_date(any_value(r.latest_term) // 3 + 1, 3, 31)
            else make_date(any_value(r.latest_term) // 3 + 1, 7, 31) end as met_date,
        string_agg(r.days_before || ' day(s) lost in the ' || $exclusion_lookback_terms
                   || ' terms to identification, ' || r.days_latest
                   || ' in the latest ' || $exclusion_lookback_terms || ' terms'
                   || case when r.permanent_latest > 0
                           then ' (' || r.permanent_latest || ' permanent exclusion(s))'
                           else '' end, '; '
                   order by r.person_id) as test,
        list_sort(flatten(list(r.source_record_ids))) as source_record_ids
    from per_person r
    cross join feed f
    group by r.case_id, r.criterion, r.need_person
)
select * from final

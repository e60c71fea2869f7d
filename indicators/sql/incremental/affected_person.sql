-- affected_person: the people whose person-level rows may differ from the last derive.
-- grain: person_id
-- docs/indicators.md, "Incremental derivation". A person is affected when a record of
-- theirs was linked differently (person_link against its snapshot prev_person_link, old
-- and new person both), when a row of theirs came in a batch loaded or superseded after
-- load $last_load_seq, or when a row of theirs is dated between the previous as-of date
-- and this one (the models keep rows dated on or before the as-of date, and a CSC plan
-- ending after it counts as open). The feeds are the registry's person feeds
-- (indicators/criteria.yaml; tests/indicators/test_registry.py checks both lists).
with span as (
    select least($as_of::date, $previous_as_of::date) as low,
           greatest($as_of::date, $previous_as_of::date) as high
),
changed_link as (
    select o.person_id as old_person, n.person_id as new_person
    from person_link n
    full join prev_person_link o
      on o.source = n.source and o.source_record_id = n.source_record_id
    where n.person_id is distinct from o.person_id
),
new_batch as (
    select batch_id from load_batch where load_seq > $last_load_seq
    union
    select batch_id from load_supersession where superseded_at_seq > $last_load_seq
),
batch_record as (
    select 'attendance' as source, source_record_id from stg_attendance_all
    where batch_id in (select batch_id from new_batch)
    union all
    select 'exclusions', source_record_id from stg_exclusions_all
    where batch_id in (select batch_id from new_batch)
    union all
    select 'police', source_record_id from stg_police_all
    where batch_id in (select batch_id from new_batch)
    union all
    select 'housing', source_record_id from stg_housing_all
    where batch_id in (select batch_id from new_batch)
    union all
    select 'dwp', source_record_id from stg_dwp_all
    where batch_id in (select batch_id from new_batch)
    union all
    select 'neet', source_record_id from stg_neet_all
    where batch_id in (select batch_id from new_batch)
    union all
    select 'csc', source_record_id from stg_csc_all
    where batch_id in (select batch_id from new_batch)
    union all
    select 'referrals', source_record_id from stg_referrals_all
    where batch_id in (select batch_id from new_batch)
),
dated_record as (
    select 'attendance' as source, a.source_record_id
    from stg_attendance a, span where a.term_end > span.low and a.term_end <= span.high
    union all
    select 'exclusions', e.source_record_id
    from stg_exclusions e, span where e.start_date > span.low and e.start_date <= span.high
    union all
    select 'police', p.source_record_id
    from stg_police p, span where p.event_date > span.low and p.event_date <= span.high
    union all
    select 'housing', h.source_record_id
    from stg_housing h, span where h.event_date > span.low and h.event_date <= span.high
    union all
    select 'dwp', d.source_record_id
    from stg_dwp d, span where d.month > span.low and d.month <= span.high
    union all
    select 'neet', n.source_record_id
    from stg_neet n, span where n.month > span.low and n.month <= span.high
    union all
    select 'csc', c.source_record_id
    from stg_csc c, span
    where (c.start_date > span.low and c.start_date <= span.high)
       or (c.end_date > span.low and c.end_date <= span.high)
    union all
    select 'referrals', r.source_record_id
    from stg_referrals r, span where r.referral_date > span.low and r.referral_date <= span.high
),
touched as (
    select * from batch_record
    union
    select * from dated_record
),
final as (
    select old_person as person_id from changed_link where old_person is not null
    union
    select new_person from changed_link where new_person is not null
    union
    select l.person_id from touched t join person_link l using (source, source_record_id)
    union
    select l.person_id from touched t join prev_person_link l using (source, source_record_id)
)
select * from final

-- feed_coverage: which partner feeds hold any staged rows dated on or before the as-of date.
-- grain: feed
-- SPEC section 1: a feed may be absent (a council without police data still runs); the
-- criteria that need it are reported as "no data", never as "no need". The feeds listed
-- are the registry's (indicators/criteria.yaml; tests/indicators/test_registry.py).
with counts as (
    select 'attendance' as feed, count(*) as rows_staged, min(term_end) as first_date,
           max(term_end) as last_date
    from stg_attendance where term_end <= $as_of
    union all
    select 'exclusions', count(*), min(start_date), max(start_date)
    from stg_exclusions where start_date <= $as_of
    union all
    select 'police', count(*), min(event_date), max(event_date)
    from stg_police where event_date <= $as_of
    union all
    select 'housing', count(*), min(event_date), max(event_date)
    from stg_housing where event_date <= $as_of
    union all
    select 'dwp', count(*), min(month), max(month) from stg_dwp where month <= $as_of
    union all
    select 'neet', count(*), min(month), max(month) from stg_neet where month <= $as_of
    union all
    select 'csc', count(*), min(start_date), max(start_date)
    from stg_csc where start_date <= $as_of
    union all
    select 'referrals', count(*), min(referral_date), max(referral_date)
    from stg_referrals where referral_date <= $as_of
    union all
    select 'none', 0, null, null
),
final as (
    select feed, rows_staged, rows_staged > 0 as has_data, first_date, last_date
    from counts
)
select * from final

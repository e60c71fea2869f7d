-- case_referral_record: whether the referrals record covers each closed case's months after
-- closure.
-- grain: case_id
-- Source: 000_4ab8a62d9effddd8.txt, "no accepted re-referral into early help or children's
-- social care for a minimum of six months since closure of the family plan"; 001 SAF2 and
-- DA1-3, "no referral into services for 6 months following closure". SPEC sections 3-4: a
-- feed covers only the period its batches cover, so the referrals feed evidences the
-- $referral_check_months after closure only when its rows reach the end of them (its
-- latest row dated on or after the window's end, feed_coverage.last_date); older rows are
-- no data for the window, never a pass. A council whose early help case system is its
-- record of referrals says so ($early_help_is_referral_record): new early help cases are
-- then the record, whatever the referrals feed holds. Read by outcome_police_closure and
-- claim gate 5.
with referrals as (
    -- the forecast assumes the extract keeps arriving, with no row about the case, up to
    -- the quarter end it judges ($referrals_assumed_to; null otherwise: claims/forecast.py)
    select has_data, greatest(last_date, $referrals_assumed_to::date) as last_date
    from feed_coverage where feed = 'referrals'
),
closed as (
    select case_id, closed_date,
           cast(closed_date + to_months($referral_check_months) as date) as window_end
    from case_current
    where closed_date is not null
),
final as (
    select
        c.case_id,
        c.closed_date,
        c.window_end,
        r.has_data as feed_has_data,
        -- the feed's end only while it does not cover the window: a covered case's row stays
        -- the same as later rows arrive (the incremental derive relies on it)
        case when coalesce(r.last_date >= c.window_end, false) then null
             else r.last_date end as feed_last_date,
        coalesce(r.has_data and r.last_date >= c.window_end, false) as feed_covers,
        $early_help_is_referral_record as early_help_record,
        coalesce(r.has_data and r.last_date >= c.window_end, false)
            or $early_help_is_referral_record as known,
        case
            when $early_help_is_referral_record then 'the early help case system (the plan''s record of referrals)'
            when not r.has_data then 'no referrals feed'
            when r.last_date < c.window_end
                then 'no data: the referrals feed ends on ' || strftime(r.last_date, '%Y-%m-%d')
                     || ', before the ' || $referral_check_months || ' months after closure end on '
                     || strftime(c.window_end, '%Y-%m-%d')
            else 'the referrals feed, which covers the ' || $referral_check_months
                 || ' months after closure (to ' || strftime(c.window_end, '%Y-%m-%d') || ')'
        end as record
    from closed c
    cross join referrals r
)
select * from final

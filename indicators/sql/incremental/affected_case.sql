-- affected_case: the cases whose case-level rows may differ from the last derive.
-- grain: case_id
-- docs/indicators.md, "Incremental derivation". Read after the frame tables
-- (case_current, family_member, member_window) were rebuilt, against their copies from
-- before (prev_*), and before the case-level model tables are touched (they still hold
-- the last derive). A case is affected when: a row of it came in a batch loaded or
-- superseded after load $last_load_seq; its case row, members or member windows changed
-- (the age on the as-of date and an open case's window end aside: no model reads the
-- first, and the second only bounds rows already cut at the as-of date, which make their
-- people affected); a need or outcome recorded on it is dated between the two as-of
-- dates; a member is an affected person; the as-of date moved and one of its needs has
-- an outcome test that reads the as-of date (the registry's outcome models with
-- recompute_when: as_of); the latest attendance term moved ($attendance_latest_moved) and
-- it has a child (child_attendance_latest and the latest_term models read that term); or
-- it shares a member or family_ref with a case whose frame rows changed (a new early help
-- case opened for a member is a re-referral of the old one: case_referral); or it is closed,
-- the referrals feed's latest row moved, and the feed did not cover its months after closure
-- before or after the move (coverage_case: its record names the feed's end).
with span as (
    select least($as_of::date, $previous_as_of::date) as low,
           greatest($as_of::date, $previous_as_of::date) as high,
           $as_of::date <> $previous_as_of::date as moved
),
new_batch as (
    select batch_id from load_batch where load_seq > $last_load_seq
    union
    select batch_id from load_supersession where superseded_at_seq > $last_load_seq
),
batch_case as (
    select case_id from stg_eh_cases_all where batch_id in (select batch_id from new_batch)
    union all
    select case_id from stg_eh_members_all where batch_id in (select batch_id from new_batch)
    union all
    select case_id from stg_eh_needs_all where batch_id in (select batch_id from new_batch)
    union all
    select case_id from stg_eh_outcomes_all where batch_id in (select batch_id from new_batch)
),
dated_case as (
    select n.case_id from stg_eh_needs n, span
    where n.identified_date > span.low and n.identified_date <= span.high
    union all
    select o.case_id from stg_eh_outcomes o, span
    where o.achieved_date > span.low and o.achieved_date <= span.high
),
frame_case as (
    select case_id from (select * from case_current except select * from prev_case_current)
    union all
    select case_id from (select * from prev_case_current except select * from case_current)
    union all
    select case_id from (
        select * exclude (age_on_as_of) from family_member
        except select * exclude (age_on_as_of) from prev_family_member)
    union all
    select case_id from (
        select * exclude (age_on_as_of) from prev_family_member
        except select * exclude (age_on_as_of) from family_member)
    union all
    select case_id from (
        select * exclude (window_end) from member_window
        except select * exclude (window_end) from prev_member_window)
    union all
    select case_id from (
        select * exclude (window_end) from prev_member_window
        except select * exclude (window_end) from member_window)
),
related_case as (
    select n.case_id
    from (select * from family_member union all by name select * from prev_family_member) m
    join family_member n on n.person_id = m.person_id
    where m.case_id in (select case_id from frame_case)
    union all
    select n.case_id
    from (select * from case_current union all by name select * from prev_case_current) c
    join case_current n on n.family_ref = c.family_ref
    where c.case_id in (select case_id from frame_case)
),
person_case as (
    select case_id from family_member
    where person_id in (select person_id from affected_person)
),
as_of_case as (
    select case_id from outcome_exclusion, span where span.moved
    union all
    select case_id from outcome_crime, span where span.moved
    union all
    select case_id from outcome_police_closure, span where span.moved
    union all
    select case_id from outcome_police_report, span where span.moved
    union all
    select case_id from outcome_csc_plan, span where span.moved
    union all
    -- outcome_housing reads the months before the as-of date: a case changes as rows leave
    -- that window only if it showed some (rows entering it make their people affected)
    select case_id from outcome_housing, span where span.moved and len(source_record_ids) > 0
    union all
    select case_id from outcome_attendance where $attendance_latest_moved
    union all
    -- child_attendance_latest: the cases it judged on the old pair, and those with a child
    -- of compulsory school age in the new latest term
    select case_id from child_attendance_latest where $attendance_latest_moved
    union all
    select m.case_id
    from family_member m, (
        -- the latest term ended by the as-of date (child_attendance_latest)
        select case when $as_of::date >= case t % 3
                        when 0 then make_date(t // 3, 12, 31)
                        when 1 then make_date(t // 3 + 1, 3, 31)
                        else make_date(t // 3 + 1, 7, 31) end
                    then t else t - 1 end as term_seq
        from (select case when month($as_of::date) >= 9 then year($as_of::date) * 3
                          when month($as_of::date) <= 3 then (year($as_of::date) - 1) * 3 + 1
                          else (year($as_of::date) - 1) * 3 + 2 end as t)) l
    where $attendance_latest_moved
      and m.role not in ('parent_carer', 'expectant_parent')
      and cast(m.dob + to_years($compulsory_school_age) as date)
          < case l.term_seq % 3 when 0 then make_date(l.term_seq // 3, 9, 1)
                                when 1 then make_date(l.term_seq // 3 + 1, 1, 1)
                                else make_date(l.term_seq // 3 + 1, 4, 1) end
      and date_diff('year', m.dob, make_date(l.term_seq // 3, 8, 31))
          - case when strftime(m.dob, '%m-%d') > '08-31' then 1 else 0 end <= $school_age_max
),
coverage_case as (
    -- closed cases the referrals feed did not cover before or after its latest row moved:
    -- case_referral_record names the feed's end for them (a covered case's row names only
    -- its own window), and the referral tests and gate 5 quote it in their evidence
    select c.case_id
    from case_current c,
         (select coalesce(max(last_date), date '1900-01-01') as d from feed_coverage
          where feed = 'referrals') n,
         (select coalesce(max(last_date), date '1900-01-01') as d from prev_feed_coverage
          where feed = 'referrals') o
    where c.closed_date is not null
      and n.d <> o.d
      and cast(c.closed_date + to_months($referral_check_months) as date) > least(n.d, o.d)
),
final as (
    select case_id from batch_case
    union
    select case_id from coverage_case
    union
    select case_id from dated_case
    union
    select case_id from frame_case
    union
    select case_id from related_case
    union
    select case_id from person_case
    union
    select case_id from as_of_case
)
select * from final

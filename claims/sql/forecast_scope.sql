-- forecast_scope: the cases the claim step is decided again for at each quarter end.
-- grain: case_id
-- On the rows known on the as-of date, only a closed case can come to pass (an open case
-- fails gate 5 until it closes), and only on the gates that read the date: the outcome
-- tests (4), the closure window (5), the regression check's terms (6) and the re-claim
-- window and family choice (7). A closed case failing gate 1, 2 or 3 stays failed: its
-- members, needs and case record are what they were at closure. So the candidates are the
-- closed cases in the forecast's $forecast_closed_months that were never claimed and fail
-- at most gates 4-7, with every other case of their families (one claim per family: the
-- first to close is claimed, so the whole family is decided together). Gate 4 can come to
-- pass only if every unmet need is one whose outcome test is decided again
-- ($time_tested: the criteria of the models claims/forecast.py runs again); a recorded
-- outcome missing at closure stays missing.
with stuck as (
    select distinct case_id
    from family_need_outcome
    where not met and not list_contains($time_tested, criterion)
),
candidate as (
    select family_key
    from forecast_now
    where closed_date is not null
      and closed_date > $as_of::date - to_months($forecast_closed_months)
      and not claimed_before
      and (failed_gates = ''
           or list_has_all(['4', '5', '6', '7'], string_split(failed_gates, ',')))
      and case_id not in (select case_id from stuck)
),
final as (
    select case_id
    from forecast_now
    where family_key in (select family_key from candidate)
)
select * from final

-- outcome_data_test: every outcome data test, one row per need it applies to.
-- grain: case_id, criterion, need_person
-- SPEC section 3. test_ran is false when the feed a test reads holds no rows: the need then
-- falls back to a recorded outcome (family_need_outcome.sql) and says so. `partial` (null =
-- false) is true when the test ran for some of the people or parts it reads but had no
-- data for the rest: a recorded outcome is then needed as well. The outcome
-- models unioned are the registry's (indicators/criteria.yaml; checked by
-- tests/indicators/test_registry.py).
with final as (
    select case_id, criterion, need_person, test_ran, met, met_date, test, source_record_ids,
           partial
    from outcome_attendance
    union all by name select * from outcome_exclusion
    union all by name select * from outcome_crime
    union all by name select * from outcome_police_closure
    union all by name select * from outcome_police_report
    union all by name select * from outcome_csc_plan
    union all by name select * from outcome_housing
    union all by name select * from outcome_work
    union all by name select * from outcome_neet
)
select * from final

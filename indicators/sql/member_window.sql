-- member_window: each linked person on a case and the dates their data is read between.
-- grain: case_id, person_id
-- SPEC section 2: needs are derived for members while the case was open (to its closure,
-- or the as-of date while open), or in the months before it opened for police and
-- attendance ($police_lookback_months).
with members as (
    select
        m.case_id,
        m.person_id,
        min(m.role) as role,
        min(m.dob) as dob
    from family_member m
    where m.person_id is not null
    group by m.case_id, m.person_id
),
final as (
    select
        m.case_id,
        m.person_id,
        m.role,
        m.dob,
        c.opened_date,
        c.closed_date,
        coalesce(c.closed_date, $as_of::date) as window_end,
        cast(c.opened_date - to_months($police_lookback_months) as date) as police_window_start
    from members m
    join case_current c using (case_id)
)
select * from final

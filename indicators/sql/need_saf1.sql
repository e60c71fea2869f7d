-- need_saf1: SAF1, abuse or neglect in the household, found as an open CIN or CP plan.
-- grain: case_id, person_id
-- Source: 001_c8a4eb03005f1d3d.txt, "Children safe from abuse and exploitation", row 1
-- (data source: open Early Help, CIN or CP plan). SPEC section 2: a child in need or child
-- protection plan of a member open at any time while the case was open; a plan open at
-- opening is identified on the opening date, a later one on its start date.
with qualifying as (
    select w.case_id, w.person_id, w.opened_date, p.plan_type, p.start_date, p.source_record_id
    from member_window w
    join person_csc_plan p using (person_id)
    where p.plan_type in ('cin', 'cp')
      and p.start_date <= w.window_end
      and coalesce(p.end_date, w.window_end) >= w.opened_date
),
final as (
    select
        case_id,
        person_id,
        'SAF1' as criterion,
        greatest(min(start_date), any_value(opened_date)) as identified_date,
        'data' as basis,
        'csc: ' || string_agg(distinct upper(plan_type), '/' order by upper(plan_type))
            || ' plan from ' || strftime(min(start_date), '%Y-%m-%d') as identified_by,
        list(source_record_id order by source_record_id) as source_record_ids
    from qualifying
    group by case_id, person_id
)
select * from final

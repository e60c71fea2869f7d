-- need_fin3: FIN3, a young person is NEET, found in CCIS data.
-- grain: case_id, person_id
-- Source: 001_c8a4eb03005f1d3d.txt, "Financial stability", row 3 (NEET data, CCIS
-- statutory dataset). SPEC section 2: a neet month of a member aged $neet_age_min to
-- $neet_age_max (age at the month) overlapping the case's open period.
with qualifying as (
    select w.case_id, w.person_id, w.opened_date, n.month, n.source_record_id
    from member_window w
    join measure_neet_month n using (person_id)
    where n.status = 'neet'
      and cast(n.month + interval 1 month as date) > w.opened_date
      and n.month <= w.window_end
      and date_part('year', age(n.month, w.dob)) between $neet_age_min and $neet_age_max
),
final as (
    select
        case_id,
        person_id,
        'FIN3' as criterion,
        greatest(min(month), any_value(opened_date)) as identified_date,
        'data' as basis,
        'ccis: NEET in ' || count(*) || ' month(s) from ' || strftime(min(month), '%Y-%m')
            as identified_by,
        list(source_record_id order by source_record_id) as source_record_ids
    from qualifying
    group by case_id, person_id
)
select * from final

-- need_fin1: FIN1, an adult in the family is workless, found in DWP data.
-- grain: case_id, person_id
-- Source: 001_c8a4eb03005f1d3d.txt, "Financial stability", row 1 (Universal Credit or
-- legacy benefit data). SPEC section 2: an out_of_work month of an adult member (age at the
-- month, adult from $adult_age) overlapping the case's open period; identified on the
-- opening date or the first such month after it.
with qualifying as (
    select w.case_id, w.person_id, w.opened_date, d.month, d.source_record_id
    from member_window w
    join measure_dwp_month d using (person_id)
    where d.work_status = 'out_of_work'
      and cast(d.month + interval 1 month as date) > w.opened_date
      and d.month <= w.window_end
      and date_part('year', age(cast(d.month + interval 1 month - interval 1 day as date), w.dob))
          >= $adult_age
),
final as (
    select
        case_id,
        person_id,
        'FIN1' as criterion,
        greatest(min(month), any_value(opened_date)) as identified_date,
        'data' as basis,
        'dwp: out of work in ' || count(*) || ' month(s) from ' || strftime(min(month), '%Y-%m')
            as identified_by,
        list(source_record_id order by source_record_id) as source_record_ids
    from qualifying
    group by case_id, person_id
)
select * from final

-- family_need: every need identified for a case by the as-of date, from data or the record.
-- grain: case_id, criterion, need_person (blank = whole family)
-- SPEC section 2: a family's needs are the union of the needs recorded on its case and the
-- needs derived from data for its members. A derived need counts only when the plan lists
-- its criterion in derived_in_this_release (plan_criterion.derived_in_release). The need
-- models unioned are the registry's (indicators/criteria.yaml; tests/indicators/
-- test_registry.py fails when this list and the registry differ).
with derived as (
    select case_id, criterion, person_id, identified_date, basis, identified_by,
           source_record_ids
    from need_attendance
    union all by name select * from need_edu3
    union all by name select * from need_saf1
    union all by name select * from need_saf2
    union all by name select * from need_saf3
    union all by name select * from need_saf4
    union all by name select * from need_cri1
    union all by name select * from need_cri3
    union all by name select * from need_da1
    union all by name select * from need_da2
    union all by name select * from need_da3
    union all by name select * from need_hou1
    union all by name select * from need_hou2
    union all by name select * from need_hou3
    union all by name select * from need_fin1
    union all by name select * from need_fin2
    union all by name select * from need_fin3
),
combined as (
    select case_id, criterion, need_person, identified_date, basis, identified_by,
           source_record_ids
    from need_recorded
    union all
    select d.case_id, d.criterion, d.person_id, d.identified_date, d.basis, d.identified_by,
           d.source_record_ids
    from derived d
    join plan_criterion p on p.criterion = d.criterion and p.derived_in_release
),
final as (
    select
        case_id,
        criterion,
        need_person,
        min(identified_date) as identified_date,
        string_agg(distinct basis, '+' order by basis) as basis,
        string_agg(identified_by, '; ' order by identified_by) as identified_by,
        list_sort(flatten(list(source_record_ids))) as source_record_ids
    from combined
    group by case_id, criterion, need_person
)
select * from final

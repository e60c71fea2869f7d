-- family_need: every need identified for a case by the as-of date, from data or the record.
-- grain: case_id, criterion, need_person (blank = whole family)
-- SPEC section 2: a family's needs are the union of the needs recorded on its case and the
-- needs derived from data for its members.
with combined as (
    select case_id, criterion, need_person, identified_date, basis, identified_by,
           source_record_ids
    from need_recorded
    union all
    select case_id, criterion, person_id, identified_date, basis, identified_by,
           source_record_ids
    from need_attendance
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

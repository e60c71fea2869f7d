-- family_criterion_status: every case against every criterion of the plan.
-- grain: case_id, criterion
-- SPEC sections 1-3: identified or not, when, from which rows, on what basis, and whether
-- its outcome is met; "no data" when the criterion is derived from a feed that holds no
-- rows (a council without police data is never told a family has "no need").
with per_criterion as (
    select
        case_id,
        criterion,
        count(*) as needs,
        min(identified_date) as identified_date,
        string_agg(distinct basis, '+' order by basis) as basis,
        bool_and(met) as met,
        case when bool_and(met) then max(met_date) end as met_date,
        string_agg(case when need_person = '' then 'family' else need_person end
                   || ': ' || outcome_test, ' | ' order by need_person) as outcome_test,
        list_sort(list_distinct(flatten(list(source_record_ids)))) as source_record_ids
    from family_need_outcome
    group by case_id, criterion
),
final as (
    select
        c.case_id,
        c.family_id,
        p.criterion,
        p.headline,
        p.derived_from,
        p.derived_from <> 'none' and p.derived_in_release as derived,
        f.has_data as feed_has_data,
        case
            when n.case_id is not null then 'identified'
            when p.derived_from <> 'none' and p.derived_in_release and not f.has_data
                then 'no data'
            else 'not identified'
        end as status,
        coalesce(n.needs, 0) as needs,
        n.identified_date,
        n.basis,
        n.met,
        n.met_date,
        n.outcome_test,
        coalesce(n.source_record_ids, []) as source_record_ids
    from case_current c
    cross join plan_criterion p
    left join feed_coverage f on f.feed = p.derived_from
    left join per_criterion n on n.case_id = c.case_id and n.criterion = p.criterion
)
select * from final

-- claim_gate: every claim gate of every case, passed or not, with the reason it failed,
-- what the case still needs and, where only time stands in the way, the date it passes.
-- grain: case_id, gate
-- Source: 000_4ab8a62d9effddd8.txt, "Submitting successful family outcomes" and
-- "Sustainment periods and regression checks", "Reclaiming for families"; SPEC section 4.
-- Gate 6 reads claim_attendance_latest and is switched by $regression_check; gate 7 reads
-- claim_reclaim. Every gate is evaluated
-- for every case so a failing case is reported with all of its reasons. Gate 5 counts
-- calendar months forward from closure (a case closed on 31 March passes on 30 September;
-- docs/interpretations.md).
with need_headline as (
    select n.*, p.headline
    from family_need_outcome n
    join plan_criterion p using (criterion)
),
gate_dependent_child as (
    select
        c.case_id,
        1 as gate,
        coalesce(bool_or((m.role = 'child' and m.age_on_as_of <= $dependent_child_max_age)
                         or m.role = 'expectant_parent'), false) as passed,
        'no dependent child (aged ' || $dependent_child_max_age
            || ' or under) or expectant parent on the case' as reason,
        null::date as passes_from,
        'a dependent child or an expectant parent on the case' as still_needs
    from case_current c
    left join family_member m using (case_id)
    group by c.case_id
),
gate_headlines as (
    select
        c.case_id,
        2 as gate,
        count(distinct n.headline) >= $min_headlines as passed,
        'needs span ' || count(distinct n.headline) || ' headline outcome(s)'
            || coalesce(' (' || string_agg(distinct n.headline, ', ' order by n.headline) || ')',
                        '')
            || '; ' || $min_headlines || ' needed' as reason,
        null::date as passes_from,
        'needs under ' || ($min_headlines - count(distinct n.headline))
            || ' more headline outcome(s)' as still_needs
    from case_current c
    left join need_headline n using (case_id)
    group by c.case_id
),
gate_whole_family as (
    select
        case_id,
        3 as gate,
        lead_practitioner is not null and whole_family_assessment_date is not null
            and action_plan_date is not null as passed,
        concat_ws('; ',
            case when lead_practitioner is null then 'no lead practitioner' end,
            case when whole_family_assessment_date is null
                 then 'no whole family assessment date' end,
            case when action_plan_date is null then 'no action plan date' end) as reason,
        null::date as passes_from,
        concat_ws('; ',
            case when lead_practitioner is null then 'a lead practitioner' end,
            case when whole_family_assessment_date is null
                 then 'a whole family assessment' end,
            case when action_plan_date is null then 'an action plan' end) as still_needs
    from case_current
),
gate_outcomes as (
    select
        c.case_id,
        4 as gate,
        coalesce(bool_and(n.met), false) and count(n.criterion) > 0 as passed,
        coalesce('outcome not met for ' || string_agg(
            n.criterion || case when n.need_person <> '' then ' (person ' || n.need_person || ')'
                                else '' end
            || ': ' || n.outcome_test, '; ' order by n.criterion, n.need_person)
            filter (where not n.met), 'no needs identified') as reason,
        null::date as passes_from,
        coalesce('an outcome for ' || string_agg(distinct n.criterion, ', ' order by n.criterion)
            filter (where not n.met), 'identified needs') as still_needs
    from case_current c
    left join need_headline n using (case_id)
    group by c.case_id
),
referral_after_closure as (
    select m.case_id, min(r.referral_date) as first_referral
    from family_member m
    join case_current c using (case_id)
    join person_link l on l.source = 'referrals' and l.person_id = m.person_id
    join stg_referrals r on r.source_record_id = l.source_record_id
    where r.accepted and r.referral_date > c.closed_date and r.referral_date <= $as_of
    group by m.case_id
),
gate_closure as (
    select
        c.case_id,
        5 as gate,
        c.closed_date is not null
            and c.closed_date + to_months($months_closed_before_claim) <= $as_of
            and r.case_id is null as passed,
        concat_ws('; ',
            case when c.closed_date is null then 'case still open' end,
            case when c.closed_date + to_months($months_closed_before_claim) > $as_of
                 then 'closed less than ' || $months_closed_before_claim
                      || ' months before the as-of date (passes from '
                      || strftime(c.closed_date + to_months($months_closed_before_claim),
                                  '%Y-%m-%d') || ')' end,
            case when r.case_id is not null
                 then 'accepted re-referral of a member on '
                      || strftime(r.first_referral, '%Y-%m-%d') end) as reason,
        case when c.closed_date is not null and r.case_id is null
             then c.closed_date + to_months($months_closed_before_claim) end as passes_from,
        concat_ws('; ',
            case when c.closed_date is null then 'case closure' end,
            case when c.closed_date + to_months($months_closed_before_claim) > $as_of
                 then 'the ' || $months_closed_before_claim || '-month window to end on '
                      || strftime(c.closed_date + to_months($months_closed_before_claim),
                                  '%Y-%m-%d') end,
            case when r.case_id is not null
                 then 'a new case: the family was re-referred after closure' end)
            as still_needs
    from case_current c
    left join referral_after_closure r using (case_id)
),
child_regression as (
    select
        case_id,
        bool_and(passed) as passed,
        string_agg(
            'child ' || coalesce(person_id, source_person_id) || ': '
            || coalesce(printf('%.1f', 100 * attendance_rate) || '% over ' || terms
                        || case when edu2_need then ' (EDU2 improvement not met)' else '' end,
                        'no attendance for the latest 2 terms'),
            '; ' order by coalesce(person_id, source_person_id)) filter (where not passed)
            as failures,
        bool_and(passed or latest_term_rate >= $attendance_good) as one_more_term
    from claim_attendance_latest
    group by case_id
),
gate_regression as (
    select
        c.case_id,
        6 as gate,
        not $regression_check or coalesce(r.passed, true) as passed,
        'regression check: ' || r.failures as reason,
        null::date as passes_from,
        case when r.one_more_term
             then 'one more term at ' || printf('%.0f', 100 * $attendance_good)
                  || '%+ attendance for every school-age child'
             else 'two more consecutive terms at ' || printf('%.0f', 100 * $attendance_good)
                  || '%+ attendance (or the EDU2 improvement) for every school-age child'
        end as still_needs
    from case_current c
    left join child_regression r using (case_id)
),
gate_not_claimed as (
    select
        case_id,
        7 as gate,
        passed,
        'already claimed on ' || strftime(last_claim_date, '%Y-%m-%d')
            || coalesce(' (claim ' || claim_ref || ')', '')
            || '; a re-claim needs ' || $reclaim_after_months
            || ' months (from ' || strftime(reclaim_from, '%Y-%m-%d')
            || ') or a significant change of family composition' as reason,
        reclaim_from as passes_from,
        'the ' || $reclaim_after_months || ' months since the last claim to pass on '
            || strftime(reclaim_from, '%Y-%m-%d') as still_needs
    from claim_reclaim
),
final as (
    select * from gate_dependent_child
    union all select * from gate_headlines
    union all select * from gate_whole_family
    union all select * from gate_outcomes
    union all select * from gate_closure
    union all select * from gate_regression
    union all select * from gate_not_claimed
)
select
    case_id,
    gate,
    passed,
    case when passed then null else reason end as reason,
    case when passed then null else cast(passes_from as date) end as passes_from,
    case when passed then null else still_needs end as still_needs
from final

-- claim_gate: every claim gate of every case, passed or not, with the reason it failed,
-- what the case still needs and, where only time stands in the way, the date it passes.
-- grain: case_id, gate
-- Source: 000_4ab8a62d9effddd8.txt, "Submitting successful family outcomes" and
-- "Sustainment periods and regression checks", "Reclaiming for families"; SPEC section 4.
-- Gate 1: a dependent child (a member not recorded as a parent, aged
-- $dependent_child_max_age or under at any time while the case was open) or an expectant
-- parent. Gate 5 counts calendar months forward from closure (a case closed on 31 March
-- passes on 30 September) and reads case_referral: an accepted referral or a new early help
-- case for a member in the $referral_check_months after closure; without a referrals feed,
-- or with one whose rows end before those months do (case_referral_record), it fails as
-- "no data" unless $early_help_is_referral_record. Gate 6 reads
-- claim_attendance_latest and is switched by $regression_check. Gate 7 reads claim_reclaim
-- and claim_family: of the cases of one family passing every other gate, only the first to
-- close is claimed. Every gate is evaluated for every case so a failing case is reported
-- with all of its reasons (docs/interpretations.md).
with need_headline as (
    select n.*, p.headline
    from family_need_outcome n
    join plan_criterion p using (criterion)
),
gate_dependent_child as (
    select
        c.case_id,
        1 as gate,
        coalesce(bool_or(
            (m.role not in ('parent_carer', 'expectant_parent')
             and m.dob <= coalesce(c.closed_date, $as_of::date)
             and m.dob + to_years($dependent_child_max_age + 1) > c.opened_date)
            or m.role = 'expectant_parent'), false) as passed,
        'no dependent child (aged ' || $dependent_child_max_age
            || ' or under while the case was open) or expectant parent on the case' as reason,
        null::date as passes_from,
        'a dependent child or an expectant parent on the case' as still_needs
    from case_current c
    left join family_member m using (case_id)
    group by c.case_id
),
not_member_need as (
    -- SPEC section 3: a need naming someone not on the case counts for nothing; said here
    -- so a family short of headlines knows why (recorded_not_member)
    select case_id, count(*) as needs
    from recorded_not_member
    where kind = 'need'
    group by case_id
),
gate_headlines as (
    select
        c.case_id,
        2 as gate,
        count(distinct n.headline) >= $min_headlines as passed,
        'needs span ' || count(distinct n.headline) || ' headline outcome(s)'
            || coalesce(' (' || string_agg(distinct n.headline, ', ' order by n.headline) || ')',
                        '')
            || '; ' || $min_headlines || ' needed'
            || coalesce('; ' || any_value(x.needs) || ' recorded need(s) name someone who is '
                        || 'not a member of the case and count for nothing (data problem)', '')
            as reason,
        null::date as passes_from,
        'needs under ' || ($min_headlines - count(distinct n.headline))
            || ' more headline outcome(s)' as still_needs
    from case_current c
    left join need_headline n using (case_id)
    left join not_member_need x using (case_id)
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
    select
        case_id,
        min(referral_date) filter (where kind = 'referral') as first_referral,
        min(referral_date) filter (where kind <> 'referral') as first_new_case
    from case_referral
    where accepted
    group by case_id
),
closure_window as (
    -- SPEC sections 3-4: the referrals record must cover the months after closure
    -- (case_referral_record); while they have not yet ended only time stands in the way
    select
        c.case_id,
        c.closed_date,
        cast(c.closed_date + to_months($months_closed_before_claim) as date) as passes_on,
        k.known,
        k.feed_has_data,
        k.window_end,
        k.record,
        c.closed_date is not null and not coalesce(k.known, false)
            and (not k.feed_has_data or k.window_end <= $as_of::date) as no_data
    from case_current c
    left join case_referral_record k using (case_id)
),
gate_closure as (
    select
        w.case_id,
        5 as gate,
        w.closed_date is not null
            and w.passes_on <= $as_of
            and r.case_id is null and w.known as passed,
        concat_ws('; ',
            case when w.closed_date is null then 'case still open' end,
            case when w.passes_on > $as_of
                 then 'closed less than ' || $months_closed_before_claim
                      || ' months before the as-of date (passes from '
                      || strftime(w.passes_on, '%Y-%m-%d') || ')' end,
            case when r.first_referral is not null
                 then 'accepted re-referral of a member on '
                      || strftime(r.first_referral, '%Y-%m-%d') end,
            case when r.first_new_case is not null
                 then 'a new early help case for a member opened on '
                      || strftime(r.first_new_case, '%Y-%m-%d') end,
            case when w.no_data and not w.feed_has_data
                 then 'no data: no referrals feed to show there was no re-referral (a council '
                      || 'whose early help case system is its record of referrals says so in '
                      || 'its plan: gates.early_help_is_referral_record)'
                 when w.no_data then w.record end) as reason,
        case when w.closed_date is not null and r.case_id is null and not w.no_data
             then w.passes_on end as passes_from,
        concat_ws('; ',
            case when w.closed_date is null then 'case closure' end,
            case when w.passes_on > $as_of
                 then 'the ' || $months_closed_before_claim || '-month window to end on '
                      || strftime(w.passes_on, '%Y-%m-%d') end,
            case when r.case_id is not null
                 then 'a new case: the family was re-referred after closure' end,
            case when w.no_data and not w.feed_has_data then 'a referrals feed'
                 when w.no_data then 'referrals data to '
                      || strftime(w.window_end, '%Y-%m-%d') end) as still_needs
    from closure_window w
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
                        'no attendance for ' || coalesce(terms_without_data, terms,
                                                         'the latest 2 terms')),
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
    select case_id, 7 as gate, passed, reason, passes_from, still_needs
    from claim_reclaim
),
before_family as (
    select * from gate_dependent_child
    union all select * from gate_headlines
    union all select * from gate_whole_family
    union all select * from gate_outcomes
    union all select * from gate_closure
    union all select * from gate_regression
    union all select * from gate_not_claimed
),
family_choice as (
    -- SPEC section 4: one claim per family per submission; the first case to close is
    -- claimed, the family's other passing cases name it.
    select
        p.case_id,
        first_value(p.case_id) over (
            partition by f.family_key order by c.closed_date, p.case_id) as claimed_case
    from (select case_id from before_family group by case_id having bool_and(passed)) p
    join claim_family f using (case_id)
    join case_current c using (case_id)
),
gate_once_per_family as (
    select
        g.case_id,
        7 as gate,
        g.passed and (f.claimed_case is null or f.claimed_case = g.case_id)
            and u.uncertain_with is null as passed,
        concat_ws('; ',
            case when not g.passed then g.reason
                 when f.claimed_case is not null and f.claimed_case <> g.case_id
                 then 'one claim per family per period: case ' || f.claimed_case
                      || ' of the same family closed first and is claimed instead' end,
            case when u.uncertain_with is not null
                 then 'whether case ' || u.uncertain_with || ' is the same family rests on a '
                      || 'pair of records awaiting clerical review: neither is claimed until '
                      || 'the pair is decided' end) as reason,
        case when not g.passed and u.uncertain_with is null then g.passes_from end
            as passes_from,
        concat_ws('; ',
            case when not g.passed then g.still_needs
                 when f.claimed_case is not null and f.claimed_case <> g.case_id
                 then 'a later period, as a re-claim (the family is claimed in this one)' end,
            case when u.uncertain_with is not null
                 then 'clerical review of the pair linking it to case ' || u.uncertain_with
            end) as still_needs
    from gate_not_claimed g
    left join family_choice f using (case_id)
    left join claim_family u using (case_id)
),
final as (
    select * from before_family where gate <> 7
    union all select * from gate_once_per_family
)
select
    case_id,
    gate,
    passed,
    case when passed then null else reason end as reason,
    case when passed then null else cast(passes_from as date) end as passes_from,
    case when passed then null else still_needs end as still_needs
from final

-- outcome_police_closure: SAF2 and DA1-3, no police incident in the month before closure and
-- no referral into services in the months after it.
-- grain: case_id, criterion, need_person
-- Source: 001_c8a4eb03005f1d3d.txt, "Children safe from abuse and exploitation" row 2 ("no
-- missing reports in month prior to closure and no re-referral into services 6 months
-- following closure") and "Safe from domestic abuse" rows 1-3 ("no incidents of domestic
-- abuse in the month prior to closure, and no referral into services for 6 months following
-- closure"); 003_91ea525606d8a4aa.txt the same. The month is the $closure_check_months up to
-- and including the closure date; a case still open is checked over the months up to the
-- as-of date. A DA incident is any da_* event for the person, whatever their part in it.
-- A referral is any referral of any member, accepted or not, or a new early help case for
-- a member, in the $referral_check_months after closure (case_referral). With no referrals
-- feed the referral part cannot be evidenced and fails ("no referrals record") unless the
-- plan declares the early help case system the record of referrals
-- ($early_help_is_referral_record). The recorded outcome that must go with it is applied
-- in family_need_outcome.sql (plan outcome_logic).
with police as (
    select has_data from feed_coverage where feed = 'police'
),
referral_record as (
    select has_data or $early_help_is_referral_record as known
    from feed_coverage where feed = 'referrals'
),
subject as (
    select
        s.*,
        coalesce(s.closed_date, $as_of::date) as check_end,
        cast(coalesce(s.closed_date, $as_of::date) - to_months($closure_check_months) as date)
            as check_start
    from need_subject s
    where s.criterion in ('SAF2', 'DA1', 'DA2', 'DA3')
),
per_person as (
    select
        s.case_id,
        s.criterion,
        s.need_person,
        s.person_id,
        s.check_start,
        s.check_end,
        s.closed_date,
        count(distinct e.incident_id) as incidents,
        list(e.source_record_id order by e.source_record_id) filter (
            where e.source_record_id is not null) as source_record_ids
    from subject s
    left join person_police_event e
      on e.person_id = s.person_id
     and e.event_date > s.check_start and e.event_date <= s.check_end
     and (case when s.criterion = 'SAF2' then e.event_type = 'missing_episode'
               else e.event_type in ('da_victim', 'da_perpetrator', 'da_child_present') end)
    group by all
),
referral as (
    select
        case_id,
        count(*) as referrals,
        list(source_record_id order by source_record_id) as source_record_ids
    from case_referral
    group by case_id
),
final as (
    select
        r.case_id,
        r.criterion,
        r.need_person,
        any_value(p.has_data) as test_ran,
        bool_and(r.incidents = 0) and coalesce(any_value(f.referrals), 0) = 0
            and any_value(k.known) as met,
        max(r.check_end) as met_date,
        sum(r.incidents) || case when r.criterion = 'SAF2' then ' missing episode(s)'
                                 else ' DA incident(s)' end
            || ' from ' || strftime(min(r.check_start) + 1, '%Y-%m-%d') || ' to '
            || strftime(max(r.check_end), '%Y-%m-%d')
            || case when bool_or(r.closed_date is null) then ' (case open: months to the as-of date)'
                    else ' (the month before closure)' end
            || case when not any_value(k.known)
                    then '; no referrals record for the ' || $referral_check_months
                         || ' months after closure'
                    else '; ' || coalesce(any_value(f.referrals), 0)
                         || ' referral(s) into services in the ' || $referral_check_months
                         || ' months after closure' end as test,
        list_sort(list_concat(flatten(list(coalesce(r.source_record_ids, []))),
                              coalesce(any_value(f.source_record_ids), []))) as source_record_ids
    from per_person r
    cross join police p
    cross join referral_record k
    left join referral f on f.case_id = r.case_id
    group by r.case_id, r.criterion, r.need_person
)
select * from final

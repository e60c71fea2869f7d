-- outcome_police_closure: SAF2 and DA1-3, no police incident in the month before closure and
-- no referral into services in the months after it.
-- grain: case_id, criterion, need_person
-- Source: 001_c8a4eb03005f1d3d.txt, "Children safe from abuse and exploitation" row 2 ("no
-- missing reports in month prior to closure and no re-referral into services 6 months
-- following closure") and "Safe from domestic abuse" rows 1-3 ("no incidents of domestic
-- abuse in the month prior to closure, and no referral into services for 6 months following
-- closure"); 003_91ea525606d8a4aa.txt the same ("No referral into services for at least 6
-- months following closure"). The month is the $closure_check_months up to and including
-- the closure date; a case still open is checked over the months up to the as-of date. A
-- DA incident is any da_* event for the person, whatever their part in it.
-- Every identified need gets a row (issue 23 item 2): the two parts are judged apart.
-- Police part: without police rows, or for a need whose person links to no one, it has no
-- data; the evidence says so and the need then also needs a recorded outcome (`partial`).
-- Referral part: any referral of any linked member, accepted or not, or a new early help
-- case for a member, in the $referral_check_months after closure (case_referral), read
-- only where the referrals record covers those months (case_referral_record: the feed's
-- rows reach their end, or the plan declares the early help case system the record,
-- $early_help_is_referral_record); otherwise it has no data and fails, whatever the police
-- feed holds. The recorded outcome that must go with it is applied in
-- family_need_outcome.sql (plan outcome_logic).
with police as (
    select has_data from feed_coverage where feed = 'police'
),
need as (
    select
        n.case_id,
        n.criterion,
        n.need_person,
        c.closed_date,
        coalesce(c.closed_date, $as_of::date) as check_end,
        cast(coalesce(c.closed_date, $as_of::date) - to_months($closure_check_months) as date)
            as check_start
    from family_need n
    join case_current c using (case_id)
    where n.criterion in ('SAF2', 'DA1', 'DA2', 'DA3')
),
per_person as (
    -- person_id null: no linked member to read the police feed for
    select
        n.case_id,
        n.criterion,
        n.need_person,
        s.person_id,
        n.check_start,
        n.check_end,
        n.closed_date,
        count(distinct e.incident_id) as incidents,
        list(e.source_record_id order by e.source_record_id) filter (
            where e.source_record_id is not null) as source_record_ids
    from need n
    left join need_subject s using (case_id, criterion, need_person)
    left join person_police_event e
      on e.person_id = s.person_id
     and e.event_date > n.check_start and e.event_date <= n.check_end
     and (case when n.criterion = 'SAF2' then e.event_type = 'missing_episode'
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
judged as (
    select
        r.case_id,
        r.criterion,
        r.need_person,
        any_value(p.has_data) as police_feed,
        any_value(p.has_data) and bool_and(r.person_id is not null) as police_known,
        bool_and(r.incidents = 0) as no_incident,
        sum(r.incidents) as incidents,
        min(r.check_start) as check_start,
        max(r.check_end) as check_end,
        bool_or(r.closed_date is null) as still_open,
        any_value(k.known) as referral_known,
        any_value(k.record) as referral_record,
        coalesce(any_value(f.referrals), 0) as referrals,
        list_sort(list_concat(flatten(list(coalesce(r.source_record_ids, []))),
                              coalesce(any_value(f.source_record_ids), []))) as source_record_ids
    from per_person r
    cross join police p
    left join case_referral_record k on k.case_id = r.case_id
    left join referral f on f.case_id = r.case_id
    group by r.case_id, r.criterion, r.need_person
),
final as (
    select
        case_id,
        criterion,
        need_person,
        true as test_ran,
        not police_known as partial,
        (not police_known or no_incident)
            and (still_open or (referral_known and referrals = 0)) as met,
        check_end as met_date,
        case
            when not police_known
                then 'no police data' || case
                    when not police_feed then ''
                    when need_person like '?%' then ' (the person links to no one)'
                    else ' (no linked member the need is about)' end
            else incidents || case when criterion = 'SAF2' then ' missing episode(s)'
                                   else ' DA incident(s)' end
                 || ' from ' || strftime(check_start + 1, '%Y-%m-%d') || ' to '
                 || strftime(check_end, '%Y-%m-%d')
                 || case when still_open then ' (case open: months to the as-of date)'
                         else ' (the month before closure)' end
        end
            || case
                when still_open then ''
                when referral_known
                    then '; ' || referrals || ' referral(s) into services in the '
                         || $referral_check_months || ' months after closure'
                when referral_record = 'no referrals feed'
                    then '; no referrals record for the ' || $referral_check_months
                         || ' months after closure'
                else '; ' || referral_record
            end as test,
        source_record_ids
    from judged
)
select * from final

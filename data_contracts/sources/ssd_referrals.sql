-- Referrals (SPEC section 1, feed `referrals`) from the Standard Safeguarding Dataset
-- (data-to-insight/ssd-data-model, data/objects): an early help episode
-- (ssd_early_help_episodes) is a referral to early help, a CIN episode (ssd_cin_episodes)
-- a referral to children's social care; each with its person from `person_at_event`
-- (ssd_people.sql).
-- Grain: one row per episode line (`_table`, `_line`). `outcome` is the episode's end
-- reason, or "No further action" for a CSC referral flagged NFA: the definition's
-- `accepted` map reads it (ssd_childrens_social_care.yaml).
with referrals as (
    select 'ssd_early_help_episodes' as _table, _line,
        earl_episode_start_date as referral_date, 'early_help' as service,
        coalesce(earl_episode_end_reason, '') as outcome
    from ssd_early_help_episodes
    union all
    select 'ssd_cin_episodes', _line, cine_referral_date, 'childrens_social_care',
        case when upper(trim(coalesce(cine_referral_nfa, ''))) in ('Y', 'YES', '1', 'TRUE')
            then 'No further action' else '' end
    from ssd_cin_episodes
),

final as (
    select person_at_event.*, referrals.referral_date, referrals.service, referrals.outcome
    from referrals
    join person_at_event using (_table, _line)
)

select * from final

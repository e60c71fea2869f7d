-- person_referral: each linked person's referrals into early help or children's social care.
-- grain: source_record_id
-- SPEC section 1, referrals feed: one referral, accepted or not, dated on or before the
-- as-of date. Read by case_referral (SAF2 and DA1-3 outcomes, claim gate 5).
with final as (
    select
        l.person_id,
        r.referral_date,
        r.service,
        coalesce(r.accepted, false) as accepted,
        r.source_record_id
    from stg_referrals r
    join person_link l on l.source = 'referrals' and l.source_record_id = r.source_record_id
    where r.referral_date <= $as_of
)
select * from final

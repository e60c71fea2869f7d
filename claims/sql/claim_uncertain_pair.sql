-- claim_uncertain_pair: pairs of people whose sameness awaits clerical review.
-- grain: person_id_l, person_id_r
-- SPEC section 4: "where sameness rests on a pair still awaiting clerical review, neither
-- case is claimed until the pair is decided". A pair awaits review when the latest linkage
-- run put it in the review band or held it for caution (matching/review.py,
-- person_review_pair) and no reviewer has decided it (review_decision); its two records
-- still belong to two different people (person_link). Read by claim_family (once per
-- family) and claim_reclaim (re-claims).
with latest_run as (
    select max(run_id) as run_id from person_review_pair
),
waiting as (
    select p.record_id_l, p.record_id_r
    from person_review_pair p
    join latest_run r using (run_id)
    where not exists (
        select 1 from review_decision d
        where (d.record_id_l = p.record_id_l and d.record_id_r = p.record_id_r)
           or (d.record_id_l = p.record_id_r and d.record_id_r = p.record_id_l))
),
person_pair as (
    select distinct l.person_id as person_a, r.person_id as person_b
    from waiting w
    join person_link l on l.record_id = w.record_id_l
    join person_link r on r.record_id = w.record_id_r
    where l.person_id <> r.person_id
),
final as (
    select distinct least(person_a, person_b) as person_id_l,
                    greatest(person_a, person_b) as person_id_r
    from person_pair
)
select * from final

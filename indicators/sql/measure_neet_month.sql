-- measure_neet_month: each young person's CCIS status (neet / eet / unknown) in each month.
-- grain: person_id, month
-- Source: 001_c8a4eb03005f1d3d.txt, "Financial stability", row 3 (NEET data, CCIS). A month
-- re-sent in a later extract: the latest load wins.
with linked as (
    select l.person_id, n.month, n.status, n.source_record_id, b.load_seq, n.row_number
    from stg_neet n
    join person_link l on l.source = 'neet' and l.source_record_id = n.source_record_id
    join load_batch b using (batch_id)
    where n.month <= $as_of
),
final as (
    select person_id, month, status, source_record_id
    from linked
    qualify row_number() over (
        partition by person_id, month order by load_seq desc, row_number desc) = 1
)
select * from final

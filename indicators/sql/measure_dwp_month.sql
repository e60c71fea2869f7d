-- measure_dwp_month: each person's DWP work status in each month.
-- grain: person_id, month
-- Source: 001_c8a4eb03005f1d3d.txt, "Financial stability", row 1 (Universal Credit or
-- legacy benefit data). A month re-sent in a later extract: the latest load wins.
with linked as (
    select l.person_id, d.month, d.benefit, d.work_status, d.source_record_id, b.load_seq,
           d.row_number
    from stg_dwp d
    join person_link l on l.source = 'dwp' and l.source_record_id = d.source_record_id
    join load_batch b using (batch_id)
    where d.month <= $as_of
),
final as (
    select person_id, month, benefit, work_status, source_record_id
    from linked
    qualify row_number() over (
        partition by person_id, month order by load_seq desc, row_number desc) = 1
)
select * from final

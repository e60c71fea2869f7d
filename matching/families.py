"""Candidate families for the identification worklist, with stable IDs.

The family worked with is defined by early help case membership
(indicators/sql/family_member.sql). Before a case exists, households suggest who belongs
together: people named on the same housing `household_ref`, people at the same address
in the same year, and a parent-carer and a child on the same early help case. Each pair
of people so related is an edge; connected groups are candidate families, named by the
stable-ID layer so a family keeps its ID as people join or leave.

Output `candidate_family(candidate_family_id, person_id, basis)`: grain person; basis
lists the kinds of evidence that tie the person to the rest of the family.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from data_contracts.feeds import FEEDS, PERSON_FEEDS
from matching.clustering import cluster_edges
from matching.stable_ids import CANDIDATE_FAMILY, assign_stable_ids


def _address_rows_sql() -> str:
    """Every dated staged row with an address: person, normalised address, year."""
    parts = []
    for feed in PERSON_FEEDS:
        date_column = FEEDS[feed].date_column
        if date_column is None:
            continue
        parts.append(
            f"select '{feed}' as source, source_record_id, {date_column} as seen_on,"
            f" address, postcode from stg_{feed}"
        )
    return "\nunion all\n".join(parts)


EDGES_SQL = """
with link as (
    select source, source_record_id, person_id from person_link
),
household as (
    select distinct h.household_ref as grp, l.person_id
    from stg_housing h
    join link l on l.source = 'housing' and l.source_record_id = h.source_record_id
    where h.household_ref is not null
),
address_rows as (
    {address_rows}
),
address_key as (
    -- Each distinct address and postcode made a key once, not once per row.
    select address, postcode,
        regexp_replace(upper(postcode), '[^A-Z0-9]', '', 'g') || '|'
            || regexp_replace(lower(address), '[^a-z0-9]', '', 'g') as place
    from (select distinct address, postcode from address_rows)
    -- Both address and postcode: "25 Mill Lane" alone names a house in many postcodes.
    where address is not null and trim(address) <> ''
      and regexp_replace(upper(coalesce(postcode, '')), '[^A-Z0-9]', '', 'g') <> ''
),
address_seen as (
    select distinct k.place, year(cast(a.seen_on as date)) as seen_year, l.person_id
    from address_rows a
    join address_key k on k.address = a.address and k.postcode = a.postcode
    join link l using (source, source_record_id)
    where a.seen_on is not null
),
address as (
    select place || '|' || cast(seen_year as varchar) as grp, person_id from address_seen
),
case_role as (
    select distinct m.case_id, m.role, l.person_id
    from stg_eh_members m join link l on l.source = 'eh_members'
        and l.source_record_id = m.source_record_id
),
grouped as (
    select 'household_ref' as basis, grp, person_id from household
    union all
    select 'same_address_same_year', grp, person_id from address
),
anchor as (
    -- Each group is a star around its smallest person: as connected as all pairs, linear size.
    select basis, grp, min(person_id) as anchor from grouped group by all
),
final as (
    select g.basis, a.anchor as person_id_l, g.person_id as person_id_r
    from grouped g join anchor a using (basis, grp)
    where g.person_id <> a.anchor
    union all
    select distinct 'parent_child', p.person_id, c.person_id
    from case_role p join case_role c using (case_id)
    where p.role = 'parent_carer' and c.role = 'child' and p.person_id <> c.person_id
)
select * from final
"""


def _family_edges(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(EDGES_SQL.format(address_rows=_address_rows_sql())).df()


def build_candidate_families(con: duckdb.DuckDBPyConnection, run_id: int) -> int:
    """Rebuild `candidate_family` from `person_link` and the staged feeds; returns families."""
    edges = _family_edges(con)
    persons = edges[["person_id_l"]].rename(columns={"person_id_l": "person_id"})
    persons = pd.concat(
        [persons, edges[["person_id_r"]].rename(columns={"person_id_r": "person_id"})]
    ).drop_duplicates()
    if persons.empty:
        con.execute(
            "create or replace table candidate_family (candidate_family_id varchar,"
            " person_id varchar, basis varchar)"
        )
        return 0
    work = duckdb.connect()
    work.register("_persons", persons)
    clusters = cluster_edges(work, "_persons", "person_id", edges[["person_id_l", "person_id_r"]])
    work.close()
    ids = assign_stable_ids(con, CANDIDATE_FAMILY, clusters, run_id)
    con.register("_family_edges", edges)
    con.register("_family_ids", ids)
    con.execute(
        """
        create or replace table candidate_family as
        with ends as (
            select person_id_l as person_id, basis from _family_edges
            union
            select person_id_r, basis from _family_edges
        ),
        basis as (
            select person_id, string_agg(distinct basis, ', ' order by basis) as basis
            from ends group by person_id
        ),
        final as (
            select i.candidate_family_id, i.person_id, b.basis
            from _family_ids i join basis b using (person_id)
            order by i.candidate_family_id, i.person_id
        )
        select * from final
        """
    )
    con.unregister("_family_edges")
    con.unregister("_family_ids")
    return int(ids["candidate_family_id"].nunique())

"""IDs that outlive a run: a cluster that holds members of an existing ID keeps that ID.

Splink names a cluster after a representative record, which changes as data arrives
(KNOWN_GROUND), so each run's clusters are matched to the previous run's IDs through a
registry of members. The same layer gives persons (members are identity records) and
candidate families (members are persons) their IDs.

Matching clusters to IDs is one-to-one and greedy, biggest overlap first, then the older
ID, then the smaller ID, so the outcome does not depend on row order. Every merge and
split is written to `stable_id_change` with the run that made it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import duckdb
import pandas as pd
import pyarrow as pa

from data_contracts.warehouse import scalar


@dataclass(frozen=True)
class IdKind:
    """Where one kind of stable ID lives: its registry, member and ID columns, prefix."""

    kind: str
    registry: str
    member_column: str
    id_column: str
    prefix: str


PERSON = IdKind("person", "person_registry", "record_id", "person_id", "P")
CANDIDATE_FAMILY = IdKind(
    "candidate_family", "candidate_family_registry", "person_id", "candidate_family_id", "CF"
)

CHANGE_TABLE = """
create table if not exists stable_id_change (
    run_id integer, kind varchar, change varchar, kept_id varchar, other_id varchar,
    members integer
)
"""


def _ensure_tables(con: duckdb.DuckDBPyConnection, kind: IdKind) -> None:
    con.execute(
        f"create table if not exists {kind.registry} ({kind.member_column} varchar primary key,"
        f" {kind.id_column} varchar, first_run integer, last_run integer)"
    )
    con.execute(CHANGE_TABLE)


def _new_id(kind: IdKind, seed: str, *taken: set[str]) -> str:
    """`prefix` + 12 hex digits of MD5 of the cluster's smallest member, never one in use.

    `taken` comes as separate sets, never their union: building a union per new cluster
    made a first run over a million identities quadratic (six minutes at 50,000 households).
    """
    text, attempt = seed, 0
    while True:
        candidate = kind.prefix + hashlib.md5(text.encode()).hexdigest()[:12]
        if not any(candidate in ids for ids in taken):
            return candidate
        attempt += 1
        text = f"{seed}#{attempt}"


def assign_stable_ids(
    con: duckdb.DuckDBPyConnection, kind: IdKind, members: pd.DataFrame, run_id: int
) -> pd.DataFrame:
    """Give each cluster in `members` (member, cluster_id) a stable ID; update the registry.

    Returns one row per member: the member column and the ID column.

    Most clusters of a night are last night's: one old ID, held by no other cluster. Such
    a cluster keeps its ID outright, and only the rest (merges, splits) go through the
    greedy matching one by one: the greedy choice on one group of clusters and IDs tied by
    shared members never depends on another group, so this is the whole-table greedy's
    outcome at the cost of what changed.
    """
    _ensure_tables(con, kind)
    member, id_col = kind.member_column, kind.id_column
    frame = members[[member, "cluster_id"]].astype(str).drop_duplicates(member)
    # Cluster key: its smallest member, not Splink's representative.
    frame["cluster"] = frame.groupby("cluster_id")[member].transform("min")
    con.register("_members", frame[[member, "cluster"]])
    # Held in memory, not as temporary tables: DuckDB 2.0 loses the rows of a table made
    # and then added to past one row group (122,880 rows) inside one transaction, and
    # this runs inside the linkage run's.
    overlap = con.sql(
        f"""
        with joined as (
            select m.cluster, r.{id_col} from _members m
            join {kind.registry} r on r.{member} = m.{member}
        ),
        sized as (select cluster, {id_col}, count(*) as size from joined group by all),
        age as (
            select {id_col}, min(first_run) as first_run from {kind.registry} group by all
        ),
        final as (
            select s.cluster, s.{id_col} as old_id, s.size, a.first_run,
                   count(*) over (partition by s.cluster) = 1
                   and count(*) over (partition by s.{id_col}) = 1 as sole
            from sized s join age a using ({id_col})
        )
        select * from final
        """
    ).to_arrow_table()
    con.register("_overlap", overlap)
    # Clusters and IDs tied to others: biggest overlap first, then the older ID, then the
    # smaller ID and cluster.
    contested = con.execute(
        "select cluster, old_id, size from _overlap where not sole"
        " order by size desc, first_run, old_id, cluster"
    ).fetchall()
    chosen: dict[str, str] = {}
    sole = con.execute("select cluster, old_id as new_id from _overlap where sole").df()
    used = set(sole["new_id"].tolist())
    for cluster, old_id, _ in contested:
        if cluster not in chosen and old_id not in used:
            chosen[cluster] = old_id
            used.add(old_id)
    fresh = sorted(set(frame["cluster"].tolist()) - set(sole["cluster"].tolist()) - set(chosen))
    made = _new_ids(con, kind, fresh, used)
    assigned = pd.concat(
        [
            sole,
            pd.DataFrame({"cluster": list(chosen), "new_id": list(chosen.values())}),
            pd.DataFrame({"cluster": list(made), "new_id": list(made.values())}),
        ],
        ignore_index=True,
    ).astype(str)
    _record_changes(con, kind, contested, chosen | made, run_id)
    con.register("_assigned", assigned)
    result = con.execute(
        f"select m.{member}, a.new_id as {id_col} from _members m join _assigned a"
        f" using (cluster) order by m.{member}"
    ).df()
    for name in ("_members", "_overlap", "_assigned"):
        con.unregister(name)
    _update_registry(con, kind, result, run_id)
    return result


def _new_ids(
    con: duckdb.DuckDBPyConnection, kind: IdKind, clusters: list[str], used: set[str]
) -> dict[str, str]:
    """Fresh IDs for `clusters` (sorted): `_new_id` of each, in that order.

    Digested in one query; only if a digest is already in use, or two clash, are they
    made one by one as `_new_id` makes them (it never happens in practice: 48 bits).
    """
    if not clusters:
        return {}
    con.register("_fresh", pd.DataFrame({"cluster": clusters}))
    candidates = con.execute(
        f"select cluster, '{kind.prefix}' || substr(md5(cluster), 1, 12) as candidate from _fresh"
    ).df()
    con.unregister("_fresh")
    taken = {
        row[0]
        for row in con.execute(f"select distinct {kind.id_column} from {kind.registry}").fetchall()
    }
    found = dict(zip(candidates["cluster"].tolist(), candidates["candidate"].tolist(), strict=True))
    values = set(found.values())
    if len(values) == len(found) and not values & (taken | used):
        return found
    made: dict[str, str] = {}
    fresh_used = set(used)
    for cluster in clusters:
        made[cluster] = _new_id(kind, cluster, taken, fresh_used)
        fresh_used.add(made[cluster])
    return made


def _record_changes(
    con: duckdb.DuckDBPyConnection,
    kind: IdKind,
    contested: list[tuple[str, str, int]],
    new_id_of: dict[str, str],
    run_id: int,
) -> None:
    """A merge: an old ID's members now sit under another ID. A split: an ID kept its name
    but some of its members went to another ID.

    Only contested clusters and IDs can change: a cluster that alone holds members of one
    ID, which no other cluster holds, keeps it; `new_id_of` names the others (an old ID
    kept, or a fresh one, never an old one).
    """
    changes: list[tuple[int, str, str, str, str, int]] = []
    kept_ids = set(new_id_of.values())
    for cluster, old_id, size in contested:
        new_id = new_id_of[cluster]
        if new_id == old_id:
            continue
        change = "split" if old_id in kept_ids else "merge"
        if change == "split":
            changes.append((run_id, kind.kind, change, old_id, new_id, int(size)))
        else:
            changes.append((run_id, kind.kind, change, new_id, old_id, int(size)))
    if changes:
        frame = pd.DataFrame(
            sorted(changes),
            columns=["run_id", "kind", "change", "kept_id", "other_id", "members"],
        )
        con.register("_changes", frame)
        con.execute("insert into stable_id_change select * from _changes")
        con.unregister("_changes")


def _update_registry(
    con: duckdb.DuckDBPyConnection, kind: IdKind, current: pd.DataFrame, run_id: int
) -> None:
    member, id_col = kind.member_column, kind.id_column
    con.register("_current_ids", current)
    con.execute(
        f"""
        create or replace table {kind.registry} as
        with merged as (
            select coalesce(c.{member}, r.{member}) as {member},
                   coalesce(c.{id_col}, r.{id_col}) as {id_col},
                   coalesce(r.first_run, $run) as first_run,
                   case when c.{member} is null then r.last_run else $run end as last_run
            from {kind.registry} r
            full outer join _current_ids c on r.{member} = c.{member}
        ),
        final as (select * from merged order by {member})
        select * from final
        """,
        {"run": run_id},
    )
    con.execute(f"alter table {kind.registry} add primary key ({member})")
    con.unregister("_current_ids")


def carry_renamed_records(con: duckdb.DuckDBPyConnection, rows: pa.Table) -> int:
    """Identity records renamed since the last run keep their person's ID.

    A record id is a digest of the normalised values, so a new way of normalising (which
    comes with a new model version) renames records whose person did not change. A record
    id the registry has never seen takes the person ID that its source rows
    (`rows`: source, source_record_id, record_id) had at the last run, when they all had
    the same one; the clusters are then matched to IDs as usual. Returns records carried.
    """
    _ensure_tables(con, PERSON)
    if not scalar(
        con, "select count(*) from information_schema.tables where table_name = 'person_link'"
    ):
        return 0
    con.register("_renamed_rows", rows)
    carried = con.execute(
        """
        insert into person_registry
        with new_record as (
            select distinct n.record_id, n.source, n.source_record_id
            from _renamed_rows n anti join person_registry r using (record_id)
        ),
        before as (
            select n.record_id, l.person_id, r.first_run, r.last_run
            from new_record n
            join person_link l using (source, source_record_id)
            join person_registry r on r.record_id = l.record_id
        ),
        final as (
            select record_id, min(person_id) as person_id, min(first_run) as first_run,
                   max(last_run) as last_run
            from before group by record_id having count(distinct person_id) = 1
        )
        select * from final order by record_id
        """
    ).fetchall()
    con.unregister("_renamed_rows")
    return int(carried[0][0]) if carried else 0


def next_run_id(con: duckdb.DuckDBPyConnection) -> int:
    """The nightly run sequence: one more than the last recorded linkage run."""
    con.execute(
        "create table if not exists link_run (run_id integer, model_source varchar,"
        " model_file varchar, identities integer, people integer, pairs_scored bigint,"
        " review_pairs integer, must_links integer, cannot_links integer, note varchar)"
    )
    return int(scalar(con, "select coalesce(max(run_id), 0) + 1 from link_run") or 1)

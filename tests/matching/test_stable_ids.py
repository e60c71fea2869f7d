"""Person IDs that stay put across nightly runs, and the merges and splits recorded."""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import pandas as pd

from matching.link import link_warehouse_run
from matching.stable_ids import PERSON, assign_stable_ids
from tests.matching.conftest import OLIVER, stage

WILLIAM = {**OLIVER, "forename": "William"}
# A nickname, a different date of birth in the same year, another town: the model scores
# this below the link threshold, so run 1 keeps Bill apart from William.
BILL = {
    **OLIVER,
    "forename": "Bill",
    "dob": "2012-10-20",
    "postcode": "LU1 1AA",
    "address": "3 Park Road",
}


def _clusters(*groups: list[str]) -> pd.DataFrame:
    rows = [(member, group[0]) for group in groups for member in group]
    return pd.DataFrame(rows, columns=["record_id", "cluster_id"])


def _ids(result: pd.DataFrame) -> dict[str, str]:
    return dict(zip(result["record_id"], result["person_id"], strict=True))


def test_merge_keeps_the_bigger_persons_id_and_split_keeps_the_bigger_part() -> None:
    con = duckdb.connect()
    first = _ids(
        assign_stable_ids(con, PERSON, _clusters(["r1", "r2"], ["r3"], ["r4", "r5", "r6"]), 1)
    )
    a, b, c = first["r1"], first["r3"], first["r4"]
    assert len({a, b, c}) == 3 and first["r2"] == a and first["r6"] == c

    second = _ids(
        assign_stable_ids(
            con, PERSON, _clusters(["r1", "r2", "r3"], ["r4", "r5"], ["r6", "r7"], ["r8"]), 2
        )
    )
    assert second["r1"] == second["r2"] == second["r3"] == a  # B merged into A
    assert second["r4"] == second["r5"] == c  # C kept by its bigger part
    split_off = second["r6"]
    assert split_off == second["r7"] and split_off not in {a, b, c}
    assert second["r8"] not in {a, b, c, split_off}
    changes = con.execute(
        "select run_id, change, kept_id, other_id, members from stable_id_change order by all"
    ).fetchall()
    assert changes == sorted([(2, "merge", a, b, 1), (2, "split", c, split_off, 1)])
    registry = con.execute(
        "select record_id, first_run, last_run from person_registry order by record_id"
    ).fetchall()
    assert ("r1", 1, 2) in registry and ("r7", 2, 2) in registry

    # A third run over the same clusters changes nothing.
    third = _ids(
        assign_stable_ids(
            con, PERSON, _clusters(["r1", "r2", "r3"], ["r4", "r5"], ["r6", "r7"], ["r8"]), 3
        )
    )
    assert third == second
    assert con.execute("select count(*) from stable_id_change where run_id = 3").fetchall() == [
        (0,)
    ]


def test_new_ids_do_not_depend_on_row_order() -> None:
    forward = assign_stable_ids(duckdb.connect(), PERSON, _clusters(["x2", "x1"], ["x3"]), 1)
    backward = assign_stable_ids(
        duckdb.connect(), PERSON, _clusters(["x3"], ["x1", "x2"]).iloc[::-1], 1
    )
    assert forward.equals(backward)


def _person_of(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    rows = con.execute("select source_record_id, person_id from person_link").fetchall()
    return dict(rows)


def test_two_nightly_runs_merge_through_a_bridging_record(
    person_warehouse: Callable[..., duckdb.DuckDBPyConnection],
) -> None:
    rows = {"attendance": [{**WILLIAM, "upn": "A100"}], "police": [BILL]}
    con = person_warehouse(rows)
    link_warehouse_run(con, 0.95)
    run1 = _person_of(con)
    assert run1["attendance-b:1"] != run1["police-b:1"]

    # Run 2: the early help case names William with Bill's details and William's UPN.
    bridge = {**BILL, "forename": "William", "upn": "A100", "case_id": "C1", "role": "child"}
    stage(con, {**rows, "eh_members": [bridge]})
    result = link_warehouse_run(con, 0.95)
    run2 = _person_of(con)
    merged = run2["attendance-b:1"]
    assert run2["police-b:1"] == merged == run2["eh_members-b:1"]
    assert merged in {run1["attendance-b:1"], run1["police-b:1"]}
    absorbed = ({run1["attendance-b:1"], run1["police-b:1"]} - {merged}).pop()
    assert con.execute(
        "select run_id, change, kept_id, other_id from stable_id_change where kind = 'person'"
    ).fetchall() == [(result.run_id, "merge", merged, absorbed)]
    assert con.execute("select max(run_id) from link_run").fetchall() == [(2,)]


def test_people_keep_their_ids_when_a_new_normalisation_renames_their_records(
    person_warehouse: Callable[..., duckdb.DuckDBPyConnection],
) -> None:
    """A model version that normalises differently gives every identity a new record id;
    the run after it carries each person ID over through the source rows."""
    con = person_warehouse(
        {"attendance": [{**OLIVER, "upn": "A1"}], "police": [OLIVER, {**OLIVER, "forename": "Amy"}]}
    )
    link_warehouse_run(con, 0.95)
    before = dict(con.execute("select source_record_id, person_id from person_link").fetchall())
    assert len(set(before.values())) == 2
    # What the previous version left: the same people under other record ids.
    for table in ("person_link", "person_registry"):
        con.execute(f"update {table} set record_id = 'OLD' || record_id")
    after_run = link_warehouse_run(con, 0.95, rebuild=True)
    after = dict(con.execute("select source_record_id, person_id from person_link").fetchall())
    assert after == before
    changes = con.execute(
        "select count(*) from stable_id_change where run_id = ?", [after_run.run_id]
    ).fetchall()
    assert changes == [(0,)]


def test_fresh_ids_made_in_one_query_are_the_ones_made_one_by_one() -> None:
    """`_new_ids` digests every new cluster at once; where a digest is taken it falls back
    to `_new_id`'s one-by-one making, in the clusters' order."""
    from matching.stable_ids import _new_id, _new_ids

    con = duckdb.connect()
    assign_stable_ids(con, PERSON, _clusters(["a1"]), 1)
    clusters = ["b1", "c1", "é1"]
    made = _new_ids(con, PERSON, clusters, set())
    assert made == {c: _new_id(PERSON, c, set()) for c in clusters}
    # "b1"'s digest already in use: b1 gets the next one, the rest their own.
    taken = {made["b1"]}
    clash = _new_ids(con, PERSON, clusters, taken)
    assert clash["b1"] == _new_id(PERSON, "b1", taken) != made["b1"]
    assert clash["c1"] == made["c1"] and clash["é1"] == made["é1"]


def test_components_are_every_group_joined_by_edges_named_by_its_smallest_node() -> None:
    import numpy as np

    from matching.clustering import cluster_edges, components

    rng = np.random.default_rng(7)
    for _ in range(200):
        n = int(rng.integers(1, 40))
        left, right = rng.integers(0, n, 30), rng.integers(0, n, 30)
        group = list(range(n))  # the slow, obvious way: relabel until nothing changes
        changed = True
        while changed:
            changed = False
            for a, b in zip(left, right, strict=True):
                low = min(group[a], group[b])
                if group[a] != low or group[b] != low:
                    group[a] = group[b] = low
                    changed = True
        assert list(components(n, left, right)) == group
    con = duckdb.connect()
    con.execute("create table node as select * from (values ('b'), ('a'), ('c'), ('d')) t(id)")
    edges = pd.DataFrame({"id_l": ["c", "zz"], "id_r": ["a", "b"]})
    clusters = cluster_edges(con, "node", "id", edges)
    assert clusters.values.tolist() == [["a", "a"], ["b", "b"], ["c", "a"], ["d", "d"]]


def test_more_clusters_than_a_row_group_inside_a_transaction(tmp_path) -> None:
    """The linkage run names people inside its transaction on the warehouse file; past one
    DuckDB row group (122,880 rows) every cluster must still get its ID (a table made and
    then added to inside one transaction lost its rows there)."""
    import numpy as np

    n = 130_000  # people, and two records each for the first ten
    nodes = np.array([f"R{i:08d}" for i in range(n + 10)], dtype=object)
    clusters = np.concatenate([np.arange(n), np.arange(10)])
    members = pd.DataFrame({"record_id": nodes, "cluster_id": nodes[clusters]})
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    con.execute("begin transaction")
    named = assign_stable_ids(con, PERSON, members, 1)
    con.execute("commit")
    assert len(named) == n + 10 and named["person_id"].nunique() == n
    assert con.execute("select count(*) from person_registry").fetchall() == [(n + 10,)]

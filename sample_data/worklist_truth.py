"""The worklist against the sample's truth: which planted households it lists.

truth/worklist_households.csv says, for each planted worklist family and look-alike,
whether the worklist should list it (from how the household was built); a household is
listed when a listed family holds one of its people (truth/people.csv, reached through
the links of truth/source_rows.csv). The test (tests/sample_data/test_lookahead.py) and
the bench (bench/bench_lookahead.py) print the same figures.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from matching.quality import sample_truth


def planted_listed(
    con: duckdb.DuckDBPyConnection, folder: Path, listed_people: pd.Series
) -> pd.DataFrame:
    """Each planted household, whether it should be listed (`listed`), and whether it is
    (`got`), given the person IDs of the listed families' members."""
    truth = sample_truth(con, folder / "truth" / "source_rows.csv")
    con.register("_truth", truth)
    try:
        person_truth = con.execute(
            "select distinct l.person_id, t.true_id from person_link l "
            "join _truth t using (source, source_record_id)"
        ).df()
    finally:
        con.unregister("_truth")
    people = pd.read_csv(folder / "truth" / "people.csv", dtype=str)
    members = (
        pd.DataFrame({"person_id": listed_people})
        .merge(person_truth, on="person_id")
        .merge(people, left_on="true_id", right_on="true_person_id")
    )
    planted = pd.read_csv(folder / "truth" / "worklist_households.csv", dtype=str)
    planted["got"] = planted["household_id"].isin(set(members["household_id"]))
    return planted


def precision_recall(planted: pd.DataFrame) -> tuple[float, float]:
    """Over the planted households: of those listed, the share that are worklist families
    rather than look-alikes (precision); of the worklist families, the share listed (recall)."""
    listed = planted[planted["got"]]
    should = planted[planted["listed"] == "yes"]
    precision = float((listed["listed"] == "yes").mean()) if len(listed) else 1.0
    recall = float(should["got"].mean()) if len(should) else 1.0
    return precision, recall

"""The synthetic council: deterministic, within contract, and its truth consistent."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

from data_contracts.ingest import ingest_inbox
from data_contracts.warehouse import connect, scalar
from sample_data.generate import write_sample
from sample_data.scenarios import SCENARIOS
from tests.conftest import LoadedSample


def _digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(folder)).encode() + path.read_bytes())
    return digest.hexdigest()


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    write_sample(tmp_path / "a", 40, 9)
    write_sample(tmp_path / "b", 40, 9)
    write_sample(tmp_path / "c", 40, 10)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    assert _digest(tmp_path / "a") != _digest(tmp_path / "c")


def test_every_scenario_is_planted(loaded_sample: LoadedSample) -> None:
    planted = {row["scenario"] for row in loaded_sample.expected()}
    assert planted == {s.name for s in SCENARIOS}


def test_every_row_honours_the_contract(loaded_sample: LoadedSample) -> None:
    with connect(loaded_sample.warehouse, read_only=True) as con:
        assert scalar(con, "select count(*) from quarantine_row") == 0
        assert scalar(con, "select count(*) from load_error") == 0
        feeds = {f for (f,) in con.execute("select distinct feed from load_batch").fetchall()}
    assert feeds == {
        "attendance",
        "exclusions",
        "police",
        "housing",
        "dwp",
        "csc",
        "referrals",
        "eh_cases",
        "eh_members",
        "eh_needs",
        "eh_outcomes",
    }


def test_truth_names_a_person_for_every_row_that_names_one(tmp_path: Path) -> None:
    write_sample(tmp_path, 30, 4)
    with (tmp_path / "truth" / "source_rows.csv").open(newline="") as handle:
        truth = {(r["feed"], r["file_name"], int(r["row_number"])) for r in csv.DictReader(handle)}
    with connect(tmp_path / "w.duckdb") as con:
        ingest_inbox(con, tmp_path / "inbox")
        rows = set()
        for feed in ("attendance", "police", "dwp", "eh_members", "referrals"):
            rows |= {
                (feed, name, number)
                for name, number in con.execute(
                    f"select b.file_name, s.row_number from stg_{feed} s join load_batch b "
                    "using (batch_id)"
                ).fetchall()
            }
    assert rows <= truth
    assert len(rows) > 100


def test_expected_decisions_follow_the_scenarios(loaded_sample: LoadedSample) -> None:
    by_name = {s.name: s for s in SCENARIOS}
    for row in loaded_sample.expected():
        scenario = by_name[row["scenario"]]
        assert row["expected_claim"] == ("no" if scenario.fails else "yes")
        assert row["failed_gates"] == ";".join(str(g) for g in scenario.fails)

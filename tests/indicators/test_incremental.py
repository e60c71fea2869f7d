"""An incremental derive gives the same tables as a full derive at the same as-of date.

The sample council is loaded without its latest months, linked and derived in full; then
the held-back months arrive with corrected re-sends of four earlier files (a case
closure, a case member, a recorded need and a police row taken out: superseded batches),
are linked, and derived incrementally at a later as-of date. A copy of the same warehouse is
derived in full at that date and every indicator table is compared, row sets equal.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pytest

from data_contracts.warehouse import connect
from indicators.incremental import CASE_MODELS, FRAME_MODELS, PERSON_MODELS
from indicators.pipeline import NightlyOptions, ingest_stage, link_stage, run_nightly
from indicators.plan import load_plan
from indicators.runner import INDICATOR_MODELS, derive_indicators
from sample_data.generate import write_sample
from sample_data.split import copy_without_latest

pytestmark = pytest.mark.slow  # a whole pipeline (or Spark) per test: `make test`, not test-fast

HOUSEHOLDS = 200
SEED = 7
HELD_FROM = "2025-07"
FIRST_AS_OF = date(2025, 6, 30)
# Re-sent under the same name without their last row, superseding the first load's batch.
RESENT = (
    "eh_cases/2025-03.csv",
    "eh_members/2024-01.csv",
    "eh_needs/2024-01.csv",
    "police/2025-06.csv",
)
COUNCIL_PLAN = Path(__file__).parents[2] / "indicators" / "plans" / "milton_keynes.yaml"


@dataclass(frozen=True)
class Replay:
    derived: Path  # loaded without the latest months, linked, derived in full at FIRST_AS_OF
    updated: Path  # the same, after the held-back months were ingested and linked
    as_of: date  # the sample's as-of date
    held_back: int


@pytest.fixture(scope="module")
def replay(tmp_path_factory: pytest.TempPathFactory) -> Replay:
    folder = tmp_path_factory.mktemp("incremental")
    summary = write_sample(folder, HOUSEHOLDS, SEED)
    replay_as_of = date.fromisoformat(str(summary["as_of"]))
    first = folder / "first-inbox"
    held = copy_without_latest(folder / "inbox", first, HELD_FROM)
    derived = folder / "derived.duckdb"
    with connect(derived) as con:
        # The nightly's pipeline function; a full derive is asked for (`--rebuild`).
        options = NightlyOptions(load_plan(), FIRST_AS_OF, rebuild=True)
        assert run_nightly(con, derived, first, options).derive_mode == "full"
    for name in RESENT:
        path = folder / "inbox" / name
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        assert len(lines) > 2, name
        path.write_text("".join(lines[:-1]), encoding="utf-8")
    updated = folder / "updated.duckdb"
    shutil.copyfile(derived, updated)
    with connect(updated) as con:
        # The next night's ingest and link stages only: each test derives as it needs.
        ingest_stage(con, folder / "inbox", updated)
        link_stage(con, updated, NightlyOptions(load_plan(), replay_as_of))
        superseded = con.execute("select count(*) from load_supersession").fetchall()
    assert superseded == [(len(RESENT),)]
    return Replay(derived, updated, replay_as_of, len(held))


def copy_of(path: Path, tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copyfile(path, target)
    return target


def table_differences(con: duckdb.DuckDBPyConnection, other: str) -> list[str]:
    """Every indicator table compared as a multiset of rows with the attached `other`."""
    out = []
    for table in INDICATOR_MODELS:
        for left, right, label in (
            (table, f"{other}.main.{table}", "only incremental"),
            (f"{other}.main.{table}", table, "only full"),
        ):
            rows = con.execute(
                f"select * from (select * from {left} except all select * from {right}) "
                f"order by all limit 3"
            ).fetchall()
            if rows:
                out.append(f"{table}: {label}: {str(rows)[:400]}")
    return out


def assert_same_as_full(incremental: Path, full: Path) -> None:
    with connect(incremental) as con:
        con.execute(f"attach '{full}' as full_derive (read_only)")
        differences = table_differences(con, "full_derive")
    assert not differences, "\n".join(differences)


def last_run(path: Path) -> dict[str, object]:
    with connect(path) as con:
        frame = con.execute("select * from derive_run order by derive_seq desc limit 1").df()
    return frame.iloc[0].to_dict()


def test_new_months_and_later_as_of_equal_a_full_derive(replay: Replay, tmp_path: Path) -> None:
    assert replay.held_back > 0
    incremental = copy_of(replay.updated, tmp_path, "incremental.duckdb")
    full = copy_of(replay.updated, tmp_path, "full.duckdb")
    with connect(incremental) as con:
        assert derive_indicators(con, load_plan(), replay.as_of, incremental=True) == (
            "incremental"
        )
    with connect(full) as con:
        derive_indicators(con, load_plan(), replay.as_of)
    assert_same_as_full(incremental, full)
    run = last_run(incremental)
    assert run["mode"] == "incremental"
    assert 0 < run["cases_recomputed"] < run["cases_total"]
    assert run["persons_recomputed"] > 0


def test_as_of_moving_with_no_new_data_equals_a_full_derive(replay: Replay, tmp_path: Path) -> None:
    for step, as_of in enumerate((date(2025, 8, 15), replay.as_of, date(2025, 3, 31))):
        incremental = copy_of(replay.derived, tmp_path, f"incremental-{step}.duckdb")
        full = copy_of(replay.derived, tmp_path, f"full-{step}.duckdb")
        with connect(incremental) as con:
            assert derive_indicators(con, load_plan(), as_of, incremental=True) == "incremental"
        with connect(full) as con:
            derive_indicators(con, load_plan(), as_of)
        assert_same_as_full(incremental, full)


def test_same_as_of_and_no_new_data_recomputes_nothing(replay: Replay, tmp_path: Path) -> None:
    incremental = copy_of(replay.derived, tmp_path, "again.duckdb")
    with connect(incremental) as con:
        assert derive_indicators(con, load_plan(), FIRST_AS_OF, incremental=True) == ("incremental")
    run = last_run(incremental)
    assert (run["persons_recomputed"], run["cases_recomputed"]) == (0, 0)
    assert_same_as_full(incremental, replay.derived)


def test_two_incremental_nights_in_a_row_equal_a_full_derive(
    replay: Replay, tmp_path: Path
) -> None:
    incremental = copy_of(replay.updated, tmp_path, "nights.duckdb")
    full = copy_of(replay.updated, tmp_path, "nights-full.duckdb")
    with connect(incremental) as con:
        derive_indicators(con, load_plan(), date(2025, 8, 31), incremental=True)
        derive_indicators(con, load_plan(), replay.as_of, incremental=True)
        modes = [row[0] for row in con.execute("select mode from derive_run").fetchall()]
    assert modes == ["full", "incremental", "incremental"]
    with connect(full) as con:
        derive_indicators(con, load_plan(), replay.as_of)
    assert_same_as_full(incremental, full)


def test_a_changed_plan_forces_a_full_derive(replay: Replay, tmp_path: Path) -> None:
    warehouse = copy_of(replay.derived, tmp_path, "plan.duckdb")
    council = load_plan(COUNCIL_PLAN)
    with connect(warehouse) as con:
        assert derive_indicators(con, council, FIRST_AS_OF, incremental=True) == "full"
        assert derive_indicators(con, council, replay.as_of, incremental=True) == ("incremental")
    assert last_run(warehouse)["mode"] == "incremental"
    with connect(warehouse) as con:
        reasons = [r[0] for r in con.execute("select reason from derive_run").fetchall()]
    assert reasons == ["full derive asked for", "plan changed", ""]


def test_no_previous_derive_means_full(replay: Replay, tmp_path: Path) -> None:
    warehouse = copy_of(replay.updated, tmp_path, "fresh.duckdb")
    with connect(warehouse) as con:
        con.execute("drop table derive_run")
        assert derive_indicators(con, load_plan(), replay.as_of, incremental=True) == "full"
        reason = con.execute("select reason from derive_run").fetchall()
    assert reason == [("no previous derive",)]
    run = last_run(warehouse)
    assert run["cases_recomputed"] == run["cases_total"]


def test_every_model_is_in_one_group_and_has_its_key(replay: Replay) -> None:
    groups = FRAME_MODELS + PERSON_MODELS + CASE_MODELS
    assert sorted(groups) == sorted(INDICATOR_MODELS)
    with connect(replay.derived) as con:
        for models, key in ((PERSON_MODELS, "person_id"), (CASE_MODELS, "case_id")):
            for name in models:
                columns = [row[0] for row in con.execute(f"describe {name}").fetchall()]
                assert key in columns, name

"""An incremental nightly ends where a full rebuild ends: same people, indicators, claim.

Night one is the sample council's files before the last month; night two adds that month
and moves the as-of date forward. One warehouse runs night two incrementally (only new
files, new identities and affected cases); its twin runs night two as a full rebuild with
the same model (every pair rescored, every indicator derived). The claim workbooks they
write must be the same bytes, and every indicator table the same rows.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from claims.submission import run_claim
from data_contracts.ingest import ingest_inbox
from data_contracts.warehouse import connect
from indicators.plan import load_plan
from indicators.runner import INDICATOR_MODELS, derive_indicators
from matching.link import LinkOptions, link_warehouse_run
from sample_data.nights import split_last_month
from tests.conftest import LoadedSample

pytestmark = pytest.mark.slow  # a whole pipeline (or Spark) per test: `make test`, not test-fast

OPTIONS = LinkOptions.from_plan(load_plan().matching)


def _nightly(
    warehouse: Path, inbox: Path, as_of: date, models: Path, full: bool, model: Path | None
) -> str:
    plan = load_plan()
    with connect(warehouse) as con:
        ingest_inbox(con, inbox)
        linked = link_warehouse_run(con, OPTIONS.threshold, models, OPTIONS, model)
        derive_indicators(con, plan, as_of, incremental=not full)
    return linked.mode


def _rows(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[object, ...]]:
    return sorted(con.execute(f"select * from {table}").fetchall(), key=repr)


@pytest.fixture(scope="module")
def nights(loaded_sample: LoadedSample, tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("incremental-nightly")
    night_one, night_two = folder / "night1", folder / "night2"
    first_as_of = split_last_month(loaded_sample.folder / "inbox", night_one, night_two)
    incremental, rebuilt = folder / "incremental.duckdb", folder / "rebuilt.duckdb"
    models = folder / "models"
    assert _nightly(incremental, night_one, first_as_of, models, True, None) == "full"
    shutil.copy(incremental, rebuilt)
    [model] = sorted(models.glob("person-model-run-*.json"))
    as_of = loaded_sample.as_of
    modes = (
        _nightly(incremental, night_two, as_of, models, False, None),
        _nightly(rebuilt, night_two, as_of, models / "rebuilt", True, model),
    )
    return folder, incremental, rebuilt, modes, as_of


def test_night_two_was_incremental_in_one_and_full_in_the_other(nights) -> None:
    *_, modes, _ = nights
    assert modes == ("incremental", "full")


@pytest.mark.parametrize("table", ["person_link", "candidate_family", *INDICATOR_MODELS])
def test_every_table_equals_the_full_rebuild(nights, table: str) -> None:
    _, incremental, rebuilt, _, _ = nights
    with connect(incremental) as inc, connect(rebuilt) as full:
        got, expected = _rows(inc, table), _rows(full, table)
    # Rows hold lists (source_record_ids), so they are compared through their text.
    seen, wanted = set(map(repr, got)), set(map(repr, expected))
    missing = [row for row in map(repr, expected) if row not in seen][:2]
    extra = [row for row in map(repr, got) if row not in wanted][:2]
    assert got == expected, f"{table}: missing {missing}, extra {extra}"


def test_the_claim_workbooks_are_the_same_bytes(nights) -> None:
    folder, incremental, rebuilt, _, as_of = nights
    written = []
    for warehouse in (incremental, rebuilt):
        with connect(warehouse) as con:
            result = run_claim(con, load_plan(), as_of, folder / f"{warehouse.stem}.xlsx")
        assert result.claimed > 0
        written.append(result.workbook.read_bytes())
    assert written[0] == written[1]

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
from data_contracts.warehouse import connect
from data_contracts.warehouse_paths import models_folder
from indicators.pipeline import NightlyOptions, run_nightly
from indicators.plan import load_plan
from indicators.runner import INDICATOR_MODELS
from sample_data.nights import split_last_month
from tests.conftest import LoadedSample
from tests.councils import BUILT_AT

pytestmark = pytest.mark.slow  # a whole pipeline (or Spark) per test: `make test`, not test-fast


def _nightly(warehouse: Path, inbox: Path, as_of: date, full: bool, model: Path | None) -> str:
    """The nightly's pipeline function; `full` is `--rebuild` (with `model`, `--model`).

    Every night loads at one time (after every date the sample writes) in both warehouses,
    as the claim workbook's Sources sheet shows when each batch was loaded."""
    options = NightlyOptions(load_plan(), as_of, model=model, rebuild=full)
    with connect(warehouse) as con:
        return run_nightly(con, warehouse, inbox, options, BUILT_AT).link_mode


def _rows(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[object, ...]]:
    return sorted(con.execute(f"select * from {table}").fetchall(), key=repr)


@pytest.fixture(scope="module")
def nights(loaded_sample: LoadedSample, tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("incremental-nightly")
    night_one, night_two = folder / "night1", folder / "night2"
    first_as_of = split_last_month(loaded_sample.folder / "inbox", night_one, night_two)
    incremental, rebuilt = folder / "incremental.duckdb", folder / "rebuilt.duckdb"
    assert _nightly(incremental, night_one, first_as_of, True, None) == "full"
    shutil.copy(incremental, rebuilt)
    [model] = sorted(models_folder(incremental).glob("person-model-run-*.json"))
    as_of = loaded_sample.as_of
    modes = (
        _nightly(incremental, night_two, as_of, False, None),
        _nightly(rebuilt, night_two, as_of, True, model),
    )
    return folder, incremental, rebuilt, modes, as_of


def test_night_two_was_incremental_in_one_and_full_in_the_other(nights) -> None:
    *_, modes, _ = nights
    assert modes == ("incremental", "full")


COMPARED = ["person_link", "candidate_family", *INDICATOR_MODELS]


@pytest.fixture(scope="module")
def compared(nights) -> dict[str, tuple[list[tuple[object, ...]], list[tuple[object, ...]]]]:
    """Every compared table's rows in both warehouses, each opened once for the module."""
    _, incremental, rebuilt, _, _ = nights
    with connect(incremental, read_only=True) as inc, connect(rebuilt, read_only=True) as full:
        return {table: (_rows(inc, table), _rows(full, table)) for table in COMPARED}


@pytest.mark.parametrize("table", COMPARED)
def test_every_table_equals_the_full_rebuild(compared, table: str) -> None:
    got, expected = compared[table]
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

"""A claim on indicator tables already current for its date is the claim derived from scratch.

The sample council is derived as the nightly leaves it (in full at an earlier date, then
incrementally at the sample's date, so the tables hold their rows in an incremental
derive's order). A claim on it, at the sample's date and at a quarter end before the last
derive, must write the same workbook and report page, byte for byte, as a claim on a copy
whose derive record was wiped (so it derives everything, as every claim did before). A
claim at the date of the last derive derives nothing; any change to what the models read
makes it derive again (indicators/current.py).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import duckdb
import pytest

from claims.submission import run_claim
from data_contracts.warehouse import connect
from indicators import models
from indicators.plan import load_plan
from indicators.runner import derive_current, derive_indicators
from tests.claims.conftest import plan_with
from tests.conftest import LoadedSample

EARLIER = date(2025, 3, 31)
"""The date the first night derived as of (in full)."""
BEFORE_LAST = date(2025, 6, 30)
"""A claim's quarter end before the last derive's date."""


@pytest.fixture(scope="module")
def nightly(loaded_sample: LoadedSample, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample's warehouse as two nights leave it: a full derive, then an incremental."""
    path = tmp_path_factory.mktemp("current") / "nightly.duckdb"
    shutil.copyfile(loaded_sample.warehouse, path)
    with connect(path) as con:
        derive_indicators(con, load_plan(), EARLIER)
        assert derive_indicators(con, load_plan(), loaded_sample.as_of, incremental=True) == (
            "incremental"
        )
    return path


def derive_runs(con: duckdb.DuckDBPyConnection) -> int:
    return int(con.execute("select count(*) from derive_run").fetchall()[0][0])


def claim(con: duckdb.DuckDBPyConnection, as_of: date, out: Path) -> tuple[bytes, bytes]:
    result = run_claim(con, load_plan(), as_of, out)
    assert result.report_page is not None
    return result.workbook.read_bytes(), result.report_page.read_bytes()


@pytest.mark.parametrize("when", ["the last derive's date", "a quarter end before it"])
def test_a_claim_on_current_tables_writes_the_bytes_of_one_derived_from_scratch(
    nightly: Path, loaded_sample: LoadedSample, tmp_path: Path, when: str
) -> None:
    as_of = loaded_sample.as_of if when.startswith("the last") else BEFORE_LAST
    scratch = tmp_path / "scratch.duckdb"
    shutil.copyfile(nightly, scratch)
    with connect(scratch) as con:
        con.execute("delete from derive_run")  # no record to build on: everything derived
        expected = claim(con, as_of, tmp_path / "scratch" / "claim.xlsx")
    current = tmp_path / "current.duckdb"
    shutil.copyfile(nightly, current)
    with connect(current) as con:
        before = derive_runs(con)
        first = claim(con, as_of, tmp_path / "first" / "claim.xlsx")
        after_first = derive_runs(con)
        again = claim(con, as_of, tmp_path / "again" / "claim.xlsx")
        assert derive_runs(con) == after_first  # current for its date: nothing derived
    # the nightly's date: nothing derived; another date: derived once, for that date
    assert after_first == before + (as_of != loaded_sample.as_of)
    assert first == expected
    assert again == expected


CHANGES: dict[str, Callable[[duckdb.DuckDBPyConnection], object]] = {
    "a record linked to another person": lambda con: con.execute(
        "update person_link set person_id = person_id || '-moved' "
        "where source_record_id = (select min(source_record_id) from person_link "
        "where source = 'police')"
    ),
    "a staged row gone from its batch": lambda con: con.execute(
        "delete from stg_police_all where source_record_id = "
        "(select min(source_record_id) from stg_police_all)"
    ),
    "a batch loaded": lambda con: con.execute(
        "insert into load_batch by name select * replace (batch_id || '-again' as batch_id, "
        "load_seq + 1000 as load_seq) from load_batch where load_seq = "
        "(select max(load_seq) from load_batch)"
    ),
    "a batch superseded": lambda con: con.execute(
        "insert into load_supersession select batch_id, batch_id, load_seq + 1 from load_batch "
        "where load_seq = (select min(load_seq) from load_batch)"
    ),
    "a model table dropped": lambda con: con.execute("drop table need_cri1"),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_any_change_to_what_the_models_read_derives_again(
    nightly: Path, loaded_sample: LoadedSample, tmp_path: Path, change: str
) -> None:
    path = tmp_path / "changed.duckdb"
    shutil.copyfile(nightly, path)
    with connect(path) as con:
        assert derive_current(con, load_plan(), loaded_sample.as_of) == "current"
        CHANGES[change](con)
        assert derive_current(con, load_plan(), loaded_sample.as_of) == "full"
        # the derive records what it read: the same question again finds the tables current
        assert derive_current(con, load_plan(), loaded_sample.as_of) == "current"


def test_a_changed_plan_value_derives_again(
    nightly: Path, loaded_sample: LoadedSample, tmp_path: Path
) -> None:
    path = tmp_path / "plan.duckdb"
    shutil.copyfile(nightly, path)
    changed = plan_with(tmp_path, "thresholds", attendance_good=0.95)
    with connect(path) as con:
        assert derive_current(con, changed, loaded_sample.as_of) == "full"
        assert derive_current(con, changed, loaded_sample.as_of) == "current"
        assert derive_current(con, load_plan(), loaded_sample.as_of) == "full"


def test_the_worklist_derives_the_affected_cases_when_rows_changed(
    nightly: Path, loaded_sample: LoadedSample, tmp_path: Path
) -> None:
    path = tmp_path / "worklist.duckdb"
    shutil.copyfile(nightly, path)
    with connect(path) as con:
        CHANGES["a staged row gone from its batch"](con)
        assert derive_current(con, load_plan(), loaded_sample.as_of, incremental=True) == (
            "incremental"
        )
        assert derive_current(con, load_plan(), loaded_sample.as_of, incremental=True) == (
            "current"
        )


def test_a_derive_stopped_part_way_leaves_no_tables_current(
    nightly: Path, loaded_sample: LoadedSample, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A claim at another date stopped in its derive (a kill, a full disk) has remade some
    tables for its date: the last derive's record must no longer stand for them."""
    path = tmp_path / "stopped.duckdb"
    shutil.copyfile(nightly, path)
    run_model = models.run_model

    def stop_at_family_need(con: duckdb.DuckDBPyConnection, sql_path: Path, *args: object) -> None:
        if sql_path.stem == "family_need":
            raise KeyboardInterrupt
        run_model(con, sql_path, *args)  # type: ignore[arg-type]

    with connect(path) as con:
        monkeypatch.setattr(models, "run_model", stop_at_family_need)
        with pytest.raises(KeyboardInterrupt):
            derive_current(con, load_plan(), BEFORE_LAST)
        monkeypatch.undo()
        assert derive_current(con, load_plan(), loaded_sample.as_of) == "full"

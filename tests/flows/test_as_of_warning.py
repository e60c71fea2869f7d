"""An as-of date years past the data is warned about before any work starts (issue 24)."""

from __future__ import annotations

import argparse
import shutil
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from data_contracts.data_dates import FAR_PAST_DATA, as_of_warning, latest_data_date
from data_contracts.warehouse import connect
from flows.cli import warn_far_as_of
from tests.conftest import LoadedSample
from tests.staging import stage_warehouse


def test_latest_data_date_is_the_latest_dated_row_of_any_feed(
    sample_con: duckdb.DuckDBPyConnection,
) -> None:
    by_feed = sample_con.execute(
        "select greatest(max(p.event_date), max(h.event_date), max(d.month), max(c.start_date))"
        " from stg_police p, stg_housing h, stg_dwp d, stg_csc c"
    ).fetchone()[0]
    latest = latest_data_date(sample_con)
    assert latest is not None and latest >= by_feed


def test_the_warning_starts_a_year_and_a_day_after_the_data(
    sample_con: duckdb.DuckDBPyConnection,
) -> None:
    latest = latest_data_date(sample_con)
    assert latest is not None
    assert as_of_warning(sample_con, latest + FAR_PAST_DATA) is None
    assert as_of_warning(sample_con, latest) is None
    line = as_of_warning(sample_con, latest + FAR_PAST_DATA + timedelta(days=1))
    assert line is not None and latest.isoformat() in line and "1.0 years after" in line


def test_an_empty_warehouse_warns_of_nothing() -> None:
    con = stage_warehouse()
    assert latest_data_date(con) is None
    assert as_of_warning(con, date(2099, 1, 1)) is None


@pytest.mark.parametrize("years, warned", [(0, False), (27, True)])
def test_the_command_prints_one_warning_line(
    loaded_sample: LoadedSample,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    years: int,
    warned: bool,
) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(loaded_sample.warehouse, warehouse)
    as_of = loaded_sample.as_of.replace(year=loaded_sample.as_of.year + years)
    warn_far_as_of(argparse.Namespace(as_of=as_of), warehouse)
    err = capsys.readouterr().err
    assert (err.count("sfp: warning: as-of date") == 1) is warned, err
    assert err.count("\n") == int(warned)
    with connect(warehouse, read_only=True):  # the check left no connection open
        pass

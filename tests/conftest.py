"""Shared fixtures: one small synthetic council, loaded and linked once per test session."""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pytest

from data_contracts.ingest import ingest_inbox
from data_contracts.warehouse import connect
from flows.environment import DEFAULTS
from indicators.plan import load_plan
from matching.link import link_warehouse
from sample_data.generate import write_sample
from tests.cli_runner import Ran, run_sfp

# The settings the command line gives Prefect before it is imported, given to the test
# session too (flows run in-process here; nothing above imports Prefect): no telemetry,
# the run's log gets the packages' lines, a line logged outside a flow run stays local.
for _key, _value in DEFAULTS.items():
    os.environ.setdefault(_key, _value)

SAMPLE_HOUSEHOLDS = 80
SAMPLE_SEED = 5


@dataclass(frozen=True)
class LoadedSample:
    folder: Path
    warehouse: Path
    as_of: date

    def expected(self) -> list[dict[str, str]]:
        path = self.folder / "truth" / "expected_decisions.csv"
        with path.open(newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))


@pytest.fixture(scope="session")
def loaded_sample(tmp_path_factory: pytest.TempPathFactory) -> LoadedSample:
    """A sample council after a nightly run's plain functions (no Prefect)."""
    folder = tmp_path_factory.mktemp("sample")
    summary = write_sample(folder, SAMPLE_HOUSEHOLDS, SAMPLE_SEED)
    warehouse = folder / "warehouse.duckdb"
    with connect(warehouse) as con:
        ingest_inbox(con, folder / "inbox")
        link_warehouse(con, load_plan().matching["link_threshold"])
    return LoadedSample(folder, warehouse, date.fromisoformat(str(summary["as_of"])))


@pytest.fixture()
def sample_con(loaded_sample: LoadedSample, tmp_path: Path) -> duckdb.DuckDBPyConnection:
    """A private copy of the loaded warehouse, so a test may change it freely."""
    copy = tmp_path / "warehouse.duckdb"
    copy.write_bytes(loaded_sample.warehouse.read_bytes())
    con = connect(copy)
    yield con
    con.close()


def write_csv(
    path: Path, header: list[str], rows: list[list[object]], encoding: str = "utf-8"
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding=encoding) as handle:
        out = csv.writer(handle)
        out.writerow(header)
        out.writerows(rows)
    return path


@pytest.fixture(scope="session")
def prefect_server() -> Iterator[None]:
    """One Prefect test server for every in-process flow run of the session."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture()
def sfp(prefect_server: None) -> Callable[..., Ran]:
    """`sfp(*args, cwd=...)`: the command line in this process, flows on the test server."""
    return run_sfp

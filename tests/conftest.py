"""Shared fixtures: one small sample council (built once: tests/councils.py), Prefect harness."""

from __future__ import annotations

import csv
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pytest

from data_contracts.ingest import BatchReport
from data_contracts.warehouse import connect
from flows.environment import DEFAULTS
from tests.cli_runner import Ran, run_sfp
from tests.councils import SAMPLE, Council, council_copy

# A pytest-xdist worker runs with a `__main__` that has neither `__spec__` nor `__file__`;
# pyspark's Spark Connect check (reached when Great Expectations imports pyspark) takes that
# for a doctest run and calls `sys.exit(0)`, failing the test that imported it. Importing the
# packages above loads neither library, so giving `__main__` a file here is in time.
_main = sys.modules["__main__"]
if getattr(_main, "__spec__", None) is None and not hasattr(_main, "__file__"):
    _main.__file__ = __file__

# The settings the command line gives Prefect before it is imported, given to the test
# session too (flows run in-process here; nothing above imports Prefect): no telemetry,
# the run's log gets the packages' lines, a line logged outside a flow run stays local.
for _key, _value in DEFAULTS.items():
    os.environ.setdefault(_key, _value)


@dataclass(frozen=True)
class LoadedSample:
    folder: Path
    warehouse: Path
    as_of: date

    def batch_reports(self) -> list[BatchReport]:
        """The reports its nightly made, file by file (kept with the council)."""
        return Council(self.folder, SAMPLE).batch_reports()

    def expected(self) -> list[dict[str, str]]:
        path = self.folder / "truth" / "expected_decisions.csv"
        with path.open(newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))


@pytest.fixture(scope="session")
def loaded_sample(tmp_path_factory: pytest.TempPathFactory) -> LoadedSample:
    """A sample council after the nightly's pipeline function (no Prefect): this worker's copy
    of the one cached build (tests/councils.py)."""
    council = council_copy(SAMPLE, tmp_path_factory.mktemp("sample") / "council")
    return LoadedSample(council.folder, council.warehouse, council.as_of)


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
def prefect_server() -> Iterator[str]:
    """One Prefect test server for every flow run of the session (this worker's): its API URL,
    which a child `sfp` is given too (tests/cli_runner.py)."""
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield str(PREFECT_API_URL.value())


@pytest.fixture()
def sfp(prefect_server: str) -> Callable[..., Ran]:
    """`sfp(*args, cwd=...)`: the command line in this process, flows on the test server."""
    return run_sfp


# --- two workers (pytest-xdist, `make test`) ------------------------------------------------

ONE_WORKER_FOLDERS = ("tests/sample_data/",)
"""Folders whose modules share a council their conftest builds (the 2,000-household one):
sent to one worker together, so the other never waits on the build's lock."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The shared councils' folders, then modules with a slow test, then the rest: the long
    work starts at once and the two workers finish together instead of one running a long
    tail alone (a stable sort: the order within each group is kept)."""

    def module(item: pytest.Item) -> str:
        return item.nodeid.split("::", 1)[0]

    slow = {module(item) for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: (not module(item).startswith(ONE_WORKER_FOLDERS),
                                 module(item) not in slow))  # fmt: skip


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """`--dist loadscope` with the folders above kept together, each as one scope."""
    if config.getoption("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class SharedCouncilScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            folder = next((f for f in ONE_WORKER_FOLDERS if nodeid.startswith(f)), None)
            return folder or super()._split_scope(nodeid)

    return SharedCouncilScheduling(config, log)

"""A nightly killed at any point leaves a warehouse the next run completes correctly.

A child process runs the nightly's pipeline function; the parent kills it (SIGKILL, no
clean-up) when it reaches a chosen point, runs the nightly again to the end in-process, and
compares the claim workbook's bytes with those of the sample council's own nightly, which
was never interrupted (tests/councils.py).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from claims.submission import run_claim
from data_contracts.warehouse import connect
from indicators.pipeline import NightlyOptions, run_nightly
from indicators.plan import load_plan
from tests.councils import BUILT_AT, SAMPLE, Council, council_copy

pytestmark = pytest.mark.slow  # a killed child pipeline per case: `make test`, not test-fast

ROOT = Path(__file__).resolve().parents[2]
NIGHTLY = """
import logging, sys
from datetime import date, datetime
from pathlib import Path
from data_contracts.warehouse import connect
from indicators.pipeline import NightlyOptions, run_nightly
from indicators.plan import load_plan
logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(message)s")
warehouse, inbox = Path(sys.argv[1]), Path(sys.argv[2])
options = NightlyOptions(load_plan(), date.fromisoformat(sys.argv[3]))
with connect(warehouse) as con:
    run_nightly(con, warehouse, inbox, options, datetime.fromisoformat(sys.argv[4]))
"""


def killed_nightly(warehouse: Path, inbox: Path, as_of: date, kill_at: str) -> bool:
    """Run the nightly in a child; kill it at the first output line containing `kill_at`."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    # A script file, not `python -c`: with pyspark installed (the spark extra), importing
    # Great Expectations in a `-c` process exits 0 at once (docs/spark.md).
    script = warehouse.parent / "nightly_child.py"
    script.write_text(NIGHTLY, encoding="utf-8")
    child = subprocess.Popen(
        [
            sys.executable,
            str(script),
            str(warehouse),
            str(inbox),
            as_of.isoformat(),
            BUILT_AT.isoformat(),
        ],  # fmt: skip
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    assert child.stdout is not None
    for line in child.stdout:
        if kill_at in line:
            child.send_signal(signal.SIGKILL)
            child.wait()
            return True
    assert child.wait() == 0
    return False


def claim_bytes(warehouse: Path, as_of: date, out: Path) -> bytes:
    with connect(warehouse) as con:
        return run_claim(con, load_plan(), as_of, out).workbook.read_bytes()


@pytest.fixture(scope="module")
def council(tmp_path_factory: pytest.TempPathFactory) -> tuple[Council, bytes]:
    """The sample council and the claim of its never-interrupted nightly (tests/councils.py)."""
    council = council_copy(SAMPLE, tmp_path_factory.mktemp("crash") / "council")
    return council, claim_bytes(council.warehouse, council.as_of, council.folder / "ref.xlsx")


@pytest.mark.parametrize(
    "kill_at",
    [
        "attendance/2023-24-summer.csv: loaded",  # part-way through loading files
        "eh_cases/",  # among the case files
        "nightly stage done: ingest",  # before linkage
        "scores every pair",  # inside linkage, before anything is written
        "nightly stage done: link",  # before the indicators
    ],
)
def test_killed_nightly_then_rerun_equals_uninterrupted(
    council: tuple[Council, bytes], tmp_path: Path, kill_at: str
) -> None:
    sample, reference = council
    warehouse = tmp_path / "w.duckdb"
    assert killed_nightly(warehouse, sample.inbox, sample.as_of, kill_at), (
        f"never reached {kill_at}"
    )
    # The next night, in this process: the same pipeline function to the end. Every run
    # loads at the council's build time, as the workbook's Sources sheet shows load times.
    with connect(warehouse) as con:
        options = NightlyOptions(load_plan(), sample.as_of)
        run_nightly(con, warehouse, sample.inbox, options, BUILT_AT)
    assert claim_bytes(warehouse, sample.as_of, tmp_path / "after.xlsx") == reference

"""A nightly killed at any point leaves a warehouse the next run completes correctly.

Each run is a child process doing the nightly's stages; the parent kills it (SIGKILL, no
clean-up) when it reaches a chosen point, runs the nightly again to the end, and compares
the claim workbook's bytes with those of a run that was never interrupted.
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
from indicators.plan import load_plan
from sample_data.generate import write_sample

pytestmark = pytest.mark.slow  # a killed child pipeline per case: `make test`, not test-fast

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2025, 9, 30)
NIGHTLY = """
import logging, sys
from datetime import date
from pathlib import Path
from data_contracts.ingest import ingest_inbox
from data_contracts.warehouse import connect
from indicators.plan import load_plan
from indicators.runner import derive_indicators
from matching.link import link_warehouse
logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(message)s")
warehouse, inbox = Path(sys.argv[1]), Path(sys.argv[2])
with connect(warehouse) as con:
    ingest_inbox(con, inbox)
    print("stage: ingested", flush=True)
    link_warehouse(con, 0.95)
    print("stage: linked", flush=True)
    derive_indicators(con, load_plan(), date(2025, 9, 30), incremental=True)
    print("stage: derived", flush=True)
"""


def nightly(warehouse: Path, inbox: Path, kill_at: str | None = None) -> bool:
    """Run the nightly in a child; kill it at the first output line containing `kill_at`."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    # A script file, not `python -c`: with pyspark installed (the spark extra), importing
    # Great Expectations in a `-c` process exits 0 at once (docs/spark.md).
    script = warehouse.parent / "nightly_child.py"
    script.write_text(NIGHTLY, encoding="utf-8")
    child = subprocess.Popen(
        [sys.executable, str(script), str(warehouse), str(inbox)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    assert child.stdout is not None
    for line in child.stdout:
        if kill_at and kill_at in line:
            child.send_signal(signal.SIGKILL)
            child.wait()
            return True
    assert child.wait() == 0
    return False


def claim_bytes(warehouse: Path, out: Path) -> bytes:
    with connect(warehouse) as con:
        return run_claim(con, load_plan(), AS_OF, out).workbook.read_bytes()


@pytest.fixture(scope="module")
def council(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes]:
    folder = tmp_path_factory.mktemp("crash")
    write_sample(folder, 60, 11)
    reference = folder / "reference.duckdb"
    nightly(reference, folder / "inbox")
    return folder, claim_bytes(reference, folder / "reference.xlsx")


@pytest.mark.parametrize(
    "kill_at",
    [
        "attendance/2023-24-summer.csv: loaded",  # part-way through loading files
        "eh_cases/",  # among the case files
        "stage: ingested",  # before linkage
        "scores every pair",  # inside linkage, before anything is written
        "stage: linked",  # before the indicators
    ],
)
def test_killed_nightly_then_rerun_equals_uninterrupted(
    council: tuple[Path, bytes], tmp_path: Path, kill_at: str
) -> None:
    folder, reference = council
    warehouse = tmp_path / "w.duckdb"
    assert nightly(warehouse, folder / "inbox", kill_at=kill_at), f"never reached {kill_at}"
    nightly(warehouse, folder / "inbox")
    assert claim_bytes(warehouse, tmp_path / "after.xlsx") == reference

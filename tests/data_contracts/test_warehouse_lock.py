"""The warehouse lock: a second writer is refused with a clear line, or waits its turn."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from data_contracts.warehouse_lock import WarehouseBusy, lock_path, warehouse_lock

HOLD = (
    "import sys, time\n"
    "from pathlib import Path\n"
    "from data_contracts.warehouse_lock import warehouse_lock\n"
    "with warehouse_lock(Path(sys.argv[1])):\n"
    "    print('held', flush=True)\n"
    "    time.sleep(float(sys.argv[2]))\n"
)


def _hold(warehouse: Path, seconds: float) -> subprocess.Popen[str]:
    root = Path(__file__).resolve().parents[2]
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(warehouse), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "held"
    return process


def test_second_writer_is_refused_with_the_holder_named(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    holder = _hold(warehouse, 30)
    try:
        with pytest.raises(WarehouseBusy, match=rf"process {holder.pid}\) is using"):
            with warehouse_lock(warehouse):
                pass
    finally:
        holder.kill()
        holder.wait()


def test_lock_of_a_killed_run_is_free_at_once(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    holder = _hold(warehouse, 30)
    holder.kill()
    holder.wait()
    with warehouse_lock(warehouse):
        assert lock_path(warehouse).read_text() == str(os.getpid())


def test_waiting_writer_gets_the_lock_when_the_first_finishes(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    holder = _hold(warehouse, 1.5)
    started = time.monotonic()
    with warehouse_lock(warehouse, wait_seconds=20):
        waited = time.monotonic() - started
    holder.wait()
    assert waited > 0.5

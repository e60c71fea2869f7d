"""Scheduling and the one-writer rule, as the command line presents them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from flows.serve import nightly_schedule, scheduled_nightly_flow

ROOT = Path(__file__).resolve().parents[2]


def test_default_schedule_is_half_past_two_london_time() -> None:
    schedule = nightly_schedule()
    assert (schedule.cron, schedule.timezone) == ("30 2 * * *", "Europe/London")
    assert nightly_schedule("0 1 * * 1-5", "UTC").cron == "0 1 * * 1-5"


def test_served_flow_parameters_validate_without_a_server() -> None:
    checked = scheduled_nightly_flow.validate_parameters(
        {"inbox": "/data/inbox", "warehouse": "/data/w.duckdb", "plan_file": None}
    )
    assert checked["warehouse"] == "/data/w.duckdb"


def test_second_nightly_is_refused_while_one_holds_the_warehouse(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    (tmp_path / "inbox").mkdir()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time; from pathlib import Path\n"
            "from data_contracts.warehouse_lock import warehouse_lock\n"
            "with warehouse_lock(Path('w.duckdb')):\n"
            "    print('held', flush=True); time.sleep(60)\n",
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "flows.cli",
                "nightly",
                "--inbox",
                "inbox",
                "--warehouse",
                "w.duckdb",
            ],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 2
    assert f"another run (process {holder.pid}) is using this warehouse" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_without_a_prefect_server_says_what_to_start(tmp_path: Path) -> None:
    (tmp_path / "inbox").mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    result = subprocess.run(
        [sys.executable, "-m", "flows.cli", "serve", "--inbox", "inbox"],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert "prefect server start --background" in result.stderr

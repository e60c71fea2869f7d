"""`sfp worklist` and `sfp forecast` on the command line: one-line refusals before anything
runs, the warehouse lock, and (slow) both flows end to end on a small sample council."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from data_contracts.warehouse import connect
from tests.cli_runner import Ran, run_sfp
from tests.councils import MIDSIZE, council_copy

ROOT = Path(__file__).resolve().parents[2]


def _one_line_refusal(result: Ran, words: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.count("\n") == 1 and words in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_mistakes_are_one_line_before_anything_runs(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    with connect(warehouse) as con:  # a warehouse of this pipeline, never linked
        con.execute("create table kept as select 42 as answer")
    before = warehouse.read_bytes()
    beside = run_sfp("worklist", "--as-of", "2025-09-30", "--warehouse", "w.duckdb",
                     "--out", "list.xlsx", cwd=tmp_path)  # fmt: skip
    _one_line_refusal(beside, "goes in a folder of its own, not beside the warehouse")
    onto = run_sfp("forecast", "--as-of", "2025-09-30", "--warehouse", "w.duckdb",
                   "--out", "w.duckdb", cwd=tmp_path)  # fmt: skip
    _one_line_refusal(onto, "would overwrite the warehouse's own file")
    missing = run_sfp("forecast", "--as-of", "2025-09-30", "--warehouse", "none.duckdb",
                      cwd=tmp_path)  # fmt: skip
    _one_line_refusal(missing, "warehouse not found")
    unlinked = run_sfp("worklist", "--as-of", "2025-09-30", "--warehouse", "w.duckdb",
                       cwd=tmp_path)  # fmt: skip
    _one_line_refusal(unlinked, "run `sfp nightly` to link people into candidate families")
    assert warehouse.read_bytes() == before
    assert not (tmp_path / "worklist-personal").exists()


def test_a_worklist_waits_for_no_one_while_another_run_holds_the_warehouse(
    tmp_path: Path,
) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    (tmp_path / "w.duckdb").write_bytes(b"")
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import time; from pathlib import Path\n"
         "from data_contracts.warehouse_lock import warehouse_lock\n"
         "with warehouse_lock(Path('w.duckdb')):\n"
         "    print('held', flush=True); time.sleep(60)\n"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        result = run_sfp("worklist", "--as-of", "2025-09-30", "--warehouse", "w.duckdb",
                         cwd=tmp_path)  # fmt: skip
    finally:
        holder.kill()
        holder.wait()
    _one_line_refusal(result, f"another run (process {holder.pid}) is using this warehouse")


@pytest.mark.slow
def test_worklist_and_forecast_through_the_cli(tmp_path: Path, sfp: Callable[..., Ran]) -> None:
    run_sfp = sfp
    council = council_copy(MIDSIZE, tmp_path / "council")
    council.warehouse.rename(tmp_path / "w.duckdb")
    as_of = council.as_of.isoformat()
    worklist = run_sfp("worklist", "--as-of", as_of, "--warehouse", "w.duckdb", cwd=tmp_path)
    assert worklist.returncode == 0, worklist.stderr
    listed = re.search(r": (\d+) of (\d+) candidate families", worklist.stdout)
    assert listed and 0 < int(listed.group(1)) <= int(listed.group(2)), worklist.stdout
    personal = tmp_path / "worklist-personal" / f"worklist-{as_of}.xlsx"
    counts = tmp_path / f"worklist-{as_of}-counts.xlsx"
    assert f"(personal data, keep it in its folder): {personal.relative_to(tmp_path)}" in (
        worklist.stdout
    )
    book = openpyxl.load_workbook(personal)
    assert book.sheetnames[0] == "About" and book["Families"].max_row == int(listed.group(1)) + 1
    assert openpyxl.load_workbook(counts)["Families"].max_row == int(listed.group(1)) + 1
    forecast = run_sfp("forecast", "--as-of", "2025-07-01", "--warehouse", "w.duckdb",
                       cwd=tmp_path)  # fmt: skip
    assert forecast.returncode == 0, forecast.stderr
    quarters = re.findall(r"^(2025-26 Q[234]) \(to [\d-]+\): (\d+) families", forecast.stdout, re.M)
    assert [q for q, _ in quarters] == ["2025-26 Q2", "2025-26 Q3", "2025-26 Q4"]
    assert int(quarters[0][1]) > 0, forecast.stdout
    assert "workbook: forecast-2025-07-01.xlsx" in forecast.stdout
    assert openpyxl.load_workbook(tmp_path / "forecast-2025-07-01.xlsx").sheetnames == [
        "About", "Quarters", "Cases",
    ]  # fmt: skip

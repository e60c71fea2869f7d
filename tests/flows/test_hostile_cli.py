"""Mistakes and misuse at the command line: one line on stderr, exit code 2, no traceback.

Each case is what a council's data team meets in its first month (issue 13): dates that
are typos, a warehouse another program holds open, a damaged, foreign or read-only
warehouse, Ctrl-C, a review workbook with a formula or a stray record ID, a tiny demo.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from data_contracts.warehouse import connect
from matching.review import render_review_workbook
from tests.cli_runner import ROOT, run_sfp, run_sfp_process


def _one_line_error(result: subprocess.CompletedProcess[str], message: str) -> None:
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["claim", "--as-of", "0001-01-01"],
        ["claim", "--as-of", "9999-12-31"],
        ["rerun", "--as-of", "9999-12-31"],
    ],
)
def test_an_as_of_date_that_is_a_typo_is_one_line(tmp_path: Path, args: list[str]) -> None:
    """9999-12-31 used to be claimed as period "9999-00 Q3"; 0001-01-01 crashed."""
    result = run_sfp(*args, cwd=tmp_path)
    _one_line_error(result, "expected a date from 2000-01-01 to 2099-12-31")


def test_a_warehouse_another_program_holds_open_is_one_line(tmp_path: Path) -> None:
    connect(tmp_path / "w.duckdb").close()
    (tmp_path / "inbox").mkdir()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, time; c = duckdb.connect('w.duckdb'); print('open', flush=True);"
            " time.sleep(60)",
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        nightly = run_sfp("nightly", "--inbox", "inbox", "--warehouse", "w.duckdb", cwd=tmp_path)
        claim = run_sfp("claim", "--as-of", "2025-09-30", "--warehouse", "w.duckdb", cwd=tmp_path)
    finally:
        holder.kill()
        holder.wait()
    for result in (nightly, claim):
        _one_line_error(result, f"w.duckdb: open in another program (process {holder.pid})")


def _sqlite(path: Path) -> Path:
    with sqlite3.connect(path) as con:
        con.execute("create table t (a)")
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: _sqlite(p), "w.duckdb: a SQLite database, not a DuckDB warehouse"),
        (lambda p: p.write_bytes(b"PK\x03\x04" + bytes(5000)), "w.duckdb: not a DuckDB warehouse"),
        (lambda p: p.mkdir(), "w.duckdb: is a folder (expected a warehouse file)"),
    ],
)
def test_a_foreign_or_damaged_warehouse_is_one_line(tmp_path: Path, make, message: str) -> None:  # type: ignore[no-untyped-def]
    """A SQLite file once made DuckDB try to download an extension: autoloading is off."""
    make(tmp_path / "w.duckdb")
    (tmp_path / "inbox").mkdir()
    started = time.monotonic()
    result = run_sfp("nightly", "--inbox", "inbox", "--warehouse", "w.duckdb", cwd=tmp_path)
    _one_line_error(result, message)
    assert time.monotonic() - started < 60, "no download attempt, no flow run"


def _make_read_only(path: Path) -> None:
    """chmod, or for root (whom permissions do not stop) the immutable attribute."""
    path.chmod(0o444)
    path.parent.chmod(0o555)
    try:
        with path.open("r+b"):
            pass
    except PermissionError:
        return
    path.parent.chmod(0o755)
    made = subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False)
    if made.returncode != 0:
        pytest.skip("cannot make a file read-only for this user on this file system")


def test_a_read_only_warehouse_is_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    warehouse = folder / "w.duckdb"
    connect(warehouse).close()
    (tmp_path / "inbox").mkdir()
    (folder / "w.duckdb.lock").touch()
    _make_read_only(warehouse)
    try:
        result = run_sfp("nightly", "--inbox", "inbox", "--warehouse", str(warehouse), cwd=tmp_path)
    finally:
        subprocess.run(["chattr", "-i", str(warehouse)], capture_output=True, check=False)
        folder.chmod(0o755)
        warehouse.chmod(0o644)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "cannot be" in result.stderr and "w.duckdb" in result.stderr


INTERRUPTED = (
    "import sys, duckdb\n"
    "import flows.cli as cli\n"
    "def interrupted(command, args):\n"
    "    raise duckdb.InterruptException('INTERRUPT Error: Interrupted!')\n"
    "cli.execute = interrupted\n"
    "sys.exit(cli.main(sys.argv[1:]))\n"
)


def test_ctrl_c_is_one_line_and_exit_130_never_a_transaction_error(tmp_path: Path) -> None:
    """DuckDB turns Ctrl-C into its own error mid-query; the command says it was
    interrupted (the batch being written is rolled back: test_inbox_entries.py)."""
    (tmp_path / "inbox").mkdir()
    result = subprocess.run(
        [sys.executable, "-c", INTERRUPTED, "nightly", "--inbox", "inbox"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 130, result.stderr
    assert result.stderr.startswith("sfp: interrupted: batches already written are kept")
    assert "Traceback" not in result.stderr and "TransactionException" not in result.stderr


def _review_warehouse(tmp_path: Path) -> None:
    with connect(tmp_path / "w.duckdb") as con:
        con.execute(
            "create table person_review_pair as"
            " select * from (values ('R1', 'R2'), ('R3', 'R4')) t(record_id_l, record_id_r)"
        )


def _workbook(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    frame = pd.DataFrame(rows, columns=["record_id_l", "record_id_r", "decision"])
    path.write_bytes(render_review_workbook(frame))
    return path


def _with_formula(path: Path) -> Path:
    from openpyxl import load_workbook

    book = load_workbook(_workbook(path, [("R1", "R2", ""), ("R3", "R4", "link")]))
    book["Pairs"]["C2"] = '=IF(1=1,"link","no link")'
    book.save(path)
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            _with_formula,
            "row 2, column decision: a formula (type the value itself: 'link' or 'no link')",
        ),
        (
            lambda p: _workbook(p, [("R1", "R2", "link"), ("R1", "R9", "no link")]),
            "row 3, column record_id_r: a record ID this warehouse has not linked",
        ),
        (
            lambda p: _workbook(
                p, [("R1", "R2", "link"), ("R3", "R4", "link"), ("R2", "R1", "No Link")]
            ),
            "rows 2 and 4 decide the same pair both 'link' and 'no link'",
        ),
        (
            lambda p: _workbook(p, [("R1", "R2", "link"), ("", "R4", "no link")]),
            "row 3, column record_id_l: no record ID",
        ),
    ],
)
def test_a_review_workbook_that_would_be_misread_is_refused_in_one_line(
    tmp_path: Path,
    make,
    message: str,  # type: ignore[no-untyped-def]
) -> None:
    _review_warehouse(tmp_path)
    make(tmp_path / "review.xlsx")
    result = run_sfp("review-import", "review.xlsx", "--warehouse", "w.duckdb", cwd=tmp_path)
    _one_line_error(result, f"review.xlsx: {message}")
    with connect(tmp_path / "w.duckdb", read_only=True) as con:
        stored = con.execute(
            "select count(*) from information_schema.tables where table_name = 'review_decision'"
        ).fetchall()
    assert stored == [(0,)], "nothing of a refused workbook is stored"


def test_a_small_sample_has_no_empty_historic_claims_file(tmp_path: Path) -> None:
    from sample_data.generate import write_sample

    write_sample(tmp_path / "sample", 20, 1)
    assert not (tmp_path / "sample" / "historic_claims.csv").exists()
    assert (tmp_path / "sample" / "inbox" / "eh_cases").is_dir()


@pytest.mark.slow
def test_demo_with_twenty_households_runs_start_to_finish(
    tmp_path: Path, prefect_server: str
) -> None:
    """It once failed importing an empty historic claims file."""
    # The one smoke test of the console entry in a child process, start to finish; its flows
    # run on the session's Prefect server rather than starting a temporary one.
    result = run_sfp_process(
        "demo", "--dir", "d", "--households", "20", cwd=tmp_path, prefect_api=prefect_server
    )
    assert result.returncode == 0, result.stderr
    assert "cases claimed (the sample's truth expects" in result.stdout
    assert (tmp_path / "d" / "claim-2025-09-30.xlsx").is_file()

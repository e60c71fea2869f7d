"""Commands never overwrite the warehouse or a folder they did not make (issue 13, data loss)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from data_contracts.warehouse_paths import (
    DEMO_MARKER,
    OutputPathError,
    check_output_file,
    prepare_demo_folder,
)
from flows.cli import build_parser, check_inputs

ROOT = Path(__file__).resolve().parents[2]


def _warehouse(tmp_path: Path) -> Path:
    warehouse = tmp_path / "w.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create table kept as select 42 as answer")
    return warehouse


@pytest.mark.parametrize(
    "out",
    [
        "w.duckdb",
        "./w.duckdb",
        "w.duckdb.wal",
        "w.duckdb.lock",
        "w-models/m.xlsx",
        "w-linkage/x.xlsx",
        "w-reports/sub/y.xlsx",
    ],
)
def test_an_output_that_belongs_to_the_warehouse_is_refused(tmp_path: Path, out: str) -> None:
    warehouse = _warehouse(tmp_path)
    with pytest.raises(OutputPathError, match="warehouse"):
        check_output_file(tmp_path / out, warehouse)


def test_a_folder_as_output_and_a_symlink_to_the_warehouse_are_refused(tmp_path: Path) -> None:
    warehouse = _warehouse(tmp_path)
    (tmp_path / "outdir").mkdir()
    with pytest.raises(OutputPathError, match="is a folder"):
        check_output_file(tmp_path / "outdir", warehouse)
    (tmp_path / "alias.xlsx").symlink_to(warehouse)
    with pytest.raises(OutputPathError, match="overwrite"):
        check_output_file(tmp_path / "alias.xlsx", warehouse)
    check_output_file(tmp_path / "claim.xlsx", warehouse)  # an ordinary file name is fine


@pytest.mark.parametrize("command", ["claim", "rerun"])
def test_claim_and_rerun_check_out_before_anything_runs(tmp_path: Path, command: str) -> None:
    warehouse = _warehouse(tmp_path)
    args = build_parser().parse_args(
        [command, "--as-of", "2025-09-30", "--warehouse", str(warehouse), "--out", str(warehouse)]
    )
    with pytest.raises(OutputPathError):
        check_inputs(args)


def test_cli_refuses_claim_out_warehouse_in_one_line_and_keeps_the_ledger(tmp_path: Path) -> None:
    warehouse = _warehouse(tmp_path)
    before = warehouse.read_bytes()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "flows.cli",
            "claim",
            "--as-of",
            "2025-09-30",
            "--warehouse",
            str(warehouse),
            "--out",
            str(warehouse),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "would overwrite" in result.stderr
    assert "Traceback" not in result.stderr
    assert warehouse.read_bytes() == before


def test_demo_refuses_a_folder_it_did_not_make_and_deletes_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "precious"
    folder.mkdir()
    (folder / "report.docx").write_text("a council's own file")
    args = build_parser().parse_args(["demo", "--dir", str(folder)])
    with pytest.raises(OutputPathError, match="not made by `sfp demo`"):
        check_inputs(args)
    with pytest.raises(OutputPathError):
        prepare_demo_folder(folder, folder / "warehouse.duckdb.lock")
    assert (folder / "report.docx").read_text() == "a council's own file"


def test_demo_empties_only_its_own_folder_and_keeps_the_lock(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    lock = folder / "warehouse.duckdb.lock"
    prepare_demo_folder(folder, lock)  # a new folder: made and marked
    assert (folder / DEMO_MARKER).is_file()
    (folder / "sample").mkdir()
    (folder / "sample" / "x.csv").write_text("old run")
    lock.write_text("123")
    prepare_demo_folder(folder, lock)
    assert sorted(p.name for p in folder.iterdir()) == [DEMO_MARKER, lock.name]
    empty = tmp_path / "empty"
    empty.mkdir()
    prepare_demo_folder(empty, empty / "warehouse.duckdb.lock")  # an empty folder is fine
    assert (empty / DEMO_MARKER).is_file()

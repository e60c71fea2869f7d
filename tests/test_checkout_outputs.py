"""Whatever a command writes by default, run from the project checkout, git ignores.

The worklist names people (a folder of its own, owner-only); a data team member who runs
`sfp worklist` in the checkout must not be one `git add .` away from committing it, and the
claim, forecast and warehouse files are outputs, not source.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from claims.forecast import forecast_path
from claims.worklist_workbook import worklist_files
from flows.arguments import DEFAULT_WAREHOUSE
from flows.claim_commands import claim_workbook_path

ROOT = Path(__file__).resolve().parents[1]
AS_OF = date(2025, 9, 30)


def default_outputs() -> list[Path]:
    worklist = worklist_files(None, None, AS_OF)
    warehouse = Path(DEFAULT_WAREHOUSE)
    return [
        worklist.personal,
        worklist.counts,
        forecast_path(None, AS_OF),
        claim_workbook_path(argparse.Namespace(out=None, as_of=AS_OF)),
        warehouse,
        warehouse.with_name(warehouse.name + ".wal"),
        Path("demo") / "warehouse.duckdb",
    ]


@pytest.mark.skipif(
    shutil.which("git") is None or not (ROOT / ".git").exists(), reason="not a git checkout"
)
@pytest.mark.parametrize("output", default_outputs(), ids=str)
def test_git_ignores_each_default_output(output: Path) -> None:
    ignored = subprocess.run(
        ["git", "-C", str(ROOT), "check-ignore", "--no-index", "-q", str(output)], check=False
    )
    assert ignored.returncode == 0, f"{output} would show in `git status` of the checkout"

"""A claim submission and a historic import are recorded whole or not at all.

Each test makes the recording fail between two of its statements (a real DuckDB connection
that raises at a chosen statement, or a child process killed there with SIGKILL) and shows
that the warehouse then holds nothing of it, that the next `claim --submit` completes it,
and that `sfp rerun` of the completed period reproduces the submitted workbook.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from claims.historic import HISTORIC_COLUMNS, import_historic_claims
from claims.ledger import LedgerError
from claims.rerun import rerun_period
from claims.submission import run_claim
from data_contracts.file_writes import OutputWriteError
from data_contracts.warehouse import connect
from indicators.plan import load_plan
from tests.claims.conftest import AS_OF, CHILD, PARENT, Case, build_council
from tests.claims.test_historic_and_rerun import THRESHOLD, member_row
from tests.conftest import write_csv

ROOT = Path(__file__).resolve().parents[2]
LEDGER_TABLES = ("claim_submission", "claim_ledger", "claim_ledger_member", "claim_person_link")


class InjectedFailure(RuntimeError):
    """The failure a test injects between two statements."""


class FailingConnection:
    """A real warehouse connection that fails at its `fail_at`-th statement inside a
    transaction (counting from 1 after `begin`), and records the statements it ran."""

    def __init__(self, con: duckdb.DuckDBPyConnection, fail_at: int | None = None) -> None:
        self._con = con
        self._fail_at = fail_at
        self.in_transaction: list[str] = []
        self._open = False

    def _count(self, sql: str) -> None:
        text = " ".join(sql.split()).lower()
        if text.startswith("begin"):
            self._open = True
            return
        if not self._open:
            return
        self.in_transaction.append(text)
        if text in ("commit", "rollback"):
            self._open = False
        if self._fail_at is not None and len(self.in_transaction) == self._fail_at:
            self._fail_at = None
            raise InjectedFailure(f"injected before: {text[:60]}")

    def execute(self, sql: str, *args: Any, **kwargs: Any) -> Any:
        self._count(sql)
        return self._con.execute(sql, *args, **kwargs)

    def executemany(self, sql: str, *args: Any, **kwargs: Any) -> Any:
        self._count(sql)
        return self._con.executemany(sql, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)


def ledger_counts(warehouse: Path) -> dict[str, int]:
    with connect(warehouse) as con:
        from claims.ledger import ensure_ledger

        ensure_ledger(con)
        return {t: con.execute(f"select count(*) from {t}").fetchall()[0][0] for t in LEDGER_TABLES}


def submit(warehouse: Path, out: Path, fail_at: int | None = None, as_of: date = AS_OF):
    with connect(warehouse) as real:
        con = FailingConnection(real, fail_at)
        result = run_claim(con, load_plan(), as_of, out, submit=True)  # type: ignore[arg-type]
    return result, con.in_transaction


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".partial"))


def failure_points(statements: list[str]) -> list[int]:
    """Just after each statement writing the ledger, and at the commit (1-based)."""
    after_writes = [i + 2 for i, s in enumerate(statements) if s.startswith("insert into claim_")]
    return sorted({*after_writes, statements.index("commit") + 1})


@pytest.fixture(scope="module")
def statements(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The statements a submission runs inside its transaction (one uninterrupted run)."""
    folder = tmp_path_factory.mktemp("reference")
    warehouse = build_council(folder, [Case()])
    _, ran = submit(warehouse, folder / "claim.xlsx")
    return ran


def test_the_submission_runs_in_one_transaction(statements: list[str]) -> None:
    writes = [s.split(" ")[2] for s in statements if s.startswith("insert into claim_")]
    assert writes == [
        "claim_submission",
        "claim_ledger",
        "claim_ledger_member",
        "claim_person_link",
    ]
    assert statements[-1] == "commit"


@pytest.mark.parametrize("point", range(5))
def test_a_submission_failing_between_statements_records_nothing_and_is_completed_later(
    statements: list[str], tmp_path: Path, point: int
) -> None:
    fail_at = failure_points(statements)[point]
    warehouse = build_council(tmp_path, [Case()])
    out = tmp_path / "claim-2025-09-30.xlsx"
    with pytest.raises(InjectedFailure):
        submit(warehouse, out, fail_at=fail_at)
    assert ledger_counts(warehouse) == dict.fromkeys(LEDGER_TABLES, 0)
    assert not out.exists() and not (tmp_path / "claim-2025-09-30-report.html").exists()
    assert leftovers(tmp_path) == []
    result, _ = submit(warehouse, out)
    assert (result.submission_id, result.claimed) == (1, 1)
    counts = ledger_counts(warehouse)
    assert (counts["claim_submission"], counts["claim_ledger"]) == (1, 1)
    assert counts["claim_ledger_member"] == 2
    rerun = rerun_period(warehouse, AS_OF, workdir=tmp_path)
    assert rerun.identical, rerun.differences
    assert out.read_bytes() == rerun_workbook(warehouse)


def rerun_workbook(warehouse: Path) -> bytes:
    with connect(warehouse) as con:
        (data,) = con.execute("select workbook from claim_submission").fetchall()[0]
    return bytes(data)


def test_a_disk_full_while_writing_the_files_records_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    import data_contracts.file_writes as file_writes

    warehouse = build_council(tmp_path, [Case()])
    out = tmp_path / "claim.xlsx"
    real_write = os.write
    calls = {"n": 0}

    def full_disk(handle: int, data: Any) -> int:
        calls["n"] += 1
        if calls["n"] > 1:  # the workbook fits, the report page does not
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(handle, data)

    monkeypatch.setattr(file_writes.os, "write", full_disk)
    with pytest.raises(OutputWriteError, match="disk full"):
        submit(warehouse, out)
    monkeypatch.undo()
    assert ledger_counts(warehouse) == dict.fromkeys(LEDGER_TABLES, 0)
    assert not out.exists() and leftovers(tmp_path) == []
    assert submit(warehouse, out)[0].submission_id == 1


def test_a_period_that_claims_no_family_is_submitted_with_its_page(tmp_path: Path) -> None:
    # Issue 22: the report page crashed (cumsum on an empty, untyped frame) after the
    # submission was recorded, locking the period without a page.
    warehouse = build_council(tmp_path, [Case(needs=[])])
    out = tmp_path / "q2.xlsx"
    result, _ = submit(warehouse, out)
    assert (result.claimed, result.cases, result.submission_id) == (0, 1, 1)
    assert out.exists() and result.report_page is not None and result.report_page.exists()
    assert ledger_counts(warehouse)["claim_ledger"] == 0
    assert rerun_period(warehouse, AS_OF, workdir=tmp_path).identical
    # The next period goes in after it, and its page counts the empty one as nothing.
    later, _ = submit(warehouse, tmp_path / "q3.xlsx", as_of=date(2025, 12, 31))
    assert later.submission_id == 2 and later.report_page is not None


def historic_file(folder: Path) -> Path:
    return write_csv(
        folder / "historic_claims.csv",
        list(HISTORIC_COLUMNS),
        [
            member_row("OLD-17", "01/12/2024", "parent_carer", PARENT),
            member_row("OLD-17", "01/12/2024", "child", CHILD),
        ],
    )


@pytest.mark.parametrize("fail_at", [2, 3, 4])
def test_a_historic_import_failing_part_way_records_nothing(tmp_path: Path, fail_at: int) -> None:
    # Statements inside: next id, the submission row, the claims, the members, commit.
    warehouse = build_council(tmp_path, [Case()])
    path = historic_file(tmp_path)
    with connect(warehouse) as real, pytest.raises(InjectedFailure):
        import_historic_claims(FailingConnection(real, fail_at), path, THRESHOLD)  # type: ignore[arg-type]
    assert ledger_counts(warehouse) == dict.fromkeys(LEDGER_TABLES, 0)
    with connect(warehouse) as con:
        result = import_historic_claims(con, path, THRESHOLD)
    assert (result.claims, result.members, result.submission_id) == (1, 2, 1)
    counts = ledger_counts(warehouse)
    assert (counts["claim_ledger"], counts["claim_ledger_member"]) == (1, 2)


KILLED_SUBMISSION = """
import os, signal, sys
from pathlib import Path
from claims import submission
from data_contracts.warehouse import connect
from indicators.plan import load_plan
from tests.claims.conftest import AS_OF

warehouse, out, point = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]


def kill() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


class Killing:
    def __init__(self, con):
        self._con = con

    def execute(self, sql, *args, **kwargs):
        if point != "rename" and " ".join(sql.split()).lower().startswith(point):
            kill()
        return self._con.execute(sql, *args, **kwargs)

    def executemany(self, sql, *args, **kwargs):
        if point != "rename" and sql.lower().startswith(point):
            kill()
        return self._con.executemany(sql, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._con, name)


if point == "rename":
    submission.put_in_place = lambda temporary, target: kill()
with connect(warehouse) as con:
    submission.run_claim(Killing(con), load_plan(), AS_OF, out, submit=True)
"""


@pytest.mark.slow  # a child process per case
@pytest.mark.parametrize(
    "point",
    [
        "insert into claim_ledger ",  # the period row written, no ledger rows yet
        "insert into claim_ledger_member",  # the period and its families, no members
        "insert into claim_person_link",  # everything but the linkage snapshot
        "commit",  # every row written, not committed
    ],
)
def test_a_submission_killed_before_its_commit_leaves_nothing(tmp_path: Path, point: str) -> None:
    warehouse = build_council(tmp_path, [Case()])
    out = tmp_path / "claim.xlsx"
    assert killed_submission(warehouse, out, point) == -signal.SIGKILL
    assert ledger_counts(warehouse) == dict.fromkeys(LEDGER_TABLES, 0)
    assert not out.exists()
    result, _ = submit(warehouse, out)
    assert result.submission_id == 1
    assert rerun_period(warehouse, AS_OF, workdir=tmp_path).identical


@pytest.mark.slow
def test_a_submission_killed_after_its_commit_is_rebuilt_by_rerun(tmp_path: Path) -> None:
    warehouse = build_council(tmp_path, [Case()])
    out = tmp_path / "claim.xlsx"
    assert killed_submission(warehouse, out, "rename") == -signal.SIGKILL
    assert not out.exists()
    assert ledger_counts(warehouse)["claim_submission"] == 1
    with pytest.raises(LedgerError, match="with --out FILE to write its workbook again"):
        submit(warehouse, out)
    rerun = rerun_period(warehouse, AS_OF, out=out, workdir=tmp_path)
    assert rerun.identical and out.read_bytes() == rerun_workbook(warehouse)


def killed_submission(warehouse: Path, out: Path, point: str) -> int:
    script = warehouse.parent / "submission_child.py"
    script.write_text(KILLED_SUBMISSION, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.run(
        [sys.executable, str(script), str(warehouse), str(out), point.strip()],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    return child.returncode


@pytest.mark.parametrize("fail_at", [2, 3, 4])
def test_a_review_import_failing_part_way_records_nothing(tmp_path: Path, fail_at: int) -> None:
    # Statements inside: the table, the next import number, the decisions, commit.
    import pandas as pd

    from matching.review import import_decisions, render_review_workbook

    decided = tmp_path / "decided.xlsx"
    decided.write_bytes(
        render_review_workbook(
            pd.DataFrame({"record_id_l": ["R1"], "record_id_r": ["R2"], "decision": ["no link"]})
        )
    )
    with connect(tmp_path / "w.duckdb") as real:
        real.execute(
            "create table person_review_pair as select 'R1' as record_id_l, 'R2' as record_id_r"
        )
        with pytest.raises(InjectedFailure):
            import_decisions(FailingConnection(real, fail_at), decided)  # type: ignore[arg-type]
        recorded = real.execute(
            "select count(*) from duckdb_tables() where table_name = 'review_decision'"
        ).fetchall()
        assert recorded == [(0,)]  # not even the table: the whole import was rolled back
        assert import_decisions(real, decided) == 1
        assert real.execute("select decision, imported_seq from review_decision").fetchall() == [
            ("no link", 1)
        ]

"""Re-run a submitted period on the data, plan and linkage as they stood, and compare.

The re-run works on a copy of the warehouse, never the warehouse itself: in the copy, the
rows of every batch loaded after the submission are removed from the raw and staged tables
and from `load_batch`, the submission's snapshot of `person_link` stands in for it (a temp
view of the same name: claims never rewrites matching's table, even in the copy), and the
plan is the JSON it stored. The indicator and claim SQL then run unchanged, so the
re-run exercises the same code path as the claim (docs/adr/0006-claim-ledger-and-reruns.md).
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import openpyxl

from claims.decide import decide_cases
from claims.ledger import LedgerError, Submission, check_rerunnable
from claims.periods import financial_quarter
from claims.submission import build_workbook_content
from claims.workbook import render
from data_contracts.file_writes import write_whole
from data_contracts.rewind import rewind_batches
from data_contracts.warehouse import connect
from indicators.plan import Plan

MAX_DIFFERENCES_LISTED = 50


@dataclass(frozen=True)
class RerunResult:
    as_of: date
    period: str
    submission_id: int
    submitted_sha256: str
    rerun_sha256: str
    differences: list[str] = field(default_factory=list)
    workbook: Path | None = None

    @property
    def identical(self) -> bool:
        return self.submitted_sha256 == self.rerun_sha256


def restore_as_submitted(con: duckdb.DuckDBPyConnection, submission: Submission) -> int:
    """Make a warehouse copy hold only what the submission saw; returns batches removed."""
    removed = rewind_batches(con, submission.max_load_seq)
    # The links the submission used shadow the copy's own for this connection.
    con.execute(
        "create or replace temp view person_link as select source, source_record_id, "
        f"record_id, person_id from claim_person_link where submission_id = "
        f"{int(submission.submission_id)} order by source, source_record_id"
    )
    return removed


def workbook_differences(submitted: bytes, rerun: bytes) -> list[str]:
    """Which sheet and cell differ between two workbooks, as `Sheet!B7: 'a' -> 'b'`."""
    first = openpyxl.load_workbook(io.BytesIO(submitted))
    second = openpyxl.load_workbook(io.BytesIO(rerun))
    out: list[str] = []
    if first.sheetnames != second.sheetnames:
        out.append(f"sheets: {first.sheetnames} -> {second.sheetnames}")
    for name in first.sheetnames:
        if name not in second.sheetnames:
            continue
        a, b = first[name], second[name]
        rows = max(a.max_row, b.max_row)
        columns = max(a.max_column, b.max_column)
        for row in range(1, rows + 1):
            for column in range(1, columns + 1):
                old = a.cell(row=row, column=column).value
                new = b.cell(row=row, column=column).value
                if old != new:
                    ref = a.cell(row=row, column=column).coordinate
                    out.append(f"{name}!{ref}: {old!r} -> {new!r}")
    if not out and submitted != rerun:
        out.append("same cell values, different file bytes (formatting or properties)")
    return out


def rerun_period(
    warehouse: Path, as_of: date, out: Path | None = None, workdir: Path | None = None
) -> RerunResult:
    """Rebuild the workbook of the period submitted for `as_of` and compare its bytes."""
    if not warehouse.exists():
        raise LedgerError(f"{warehouse}: warehouse not found")
    with connect(warehouse) as con:
        submission = check_rerunnable(con, as_of, warehouse)
        con.execute("checkpoint")
    with tempfile.TemporaryDirectory(dir=workdir) as scratch:
        copy = Path(scratch) / "rerun.duckdb"
        shutil.copyfile(warehouse, copy)
        with connect(copy) as con:
            restore_as_submitted(con, submission)
            plan = Plan(submission.plan_source, json.loads(submission.plan_json))
            decisions = decide_cases(con, plan, as_of, before_submission=submission.submission_id)
            content = build_workbook_content(con, plan, as_of, decisions, submission.model_version)
            data = render(content)
    if out is not None:
        write_whole(out, data)
    digest = hashlib.sha256(data).hexdigest()
    differences = (
        []
        if digest == submission.workbook_sha256
        else workbook_differences(submission.workbook, data)
    )
    return RerunResult(
        as_of,
        financial_quarter(as_of),
        submission.submission_id,
        submission.workbook_sha256,
        digest,
        differences[:MAX_DIFFERENCES_LISTED],
        out,
    )

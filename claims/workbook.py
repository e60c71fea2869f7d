"""The quarterly claim workbook (SPEC section 5).

Written through data_contracts/xlsx_writer.py, so an auditor's re-run gives the same bytes
and text that a spreadsheet would run as a formula stays text.

Finance-grade display without breaking the tools that read it: every header cell keeps
its SPEC section 5 name as its value (`family_id`, `reasons`: what `sfp rerun`, pandas and
openpyxl read) and shows a plain-English heading through its number format
(`HEADINGS`, docs/claims.md lists both). Money shows as pounds with thousands separators,
shares as percentages, dates the UK way (still real dates), counts with thousands
separators; every sheet prints landscape, one page wide, with its header on every page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from data_contracts.xlsx_writer import (
    COUNT_FORMAT,
    MONEY_FORMAT,
    PERCENT_FORMAT,
    UK_DATE_FORMAT,
    UK_DATETIME_FORMAT,
    SheetLayout,
    render_sheets,
)


class Pounds(float):
    """An amount of money in a Summary line: shown as £1,234.00."""


class Share(float):
    """A fraction in a Summary line (0.125): shown as a percentage (12.5%)."""


HEADINGS: dict[str, dict[str, str]] = {
    "Summary": {"item": "Item", "value": "Value"},
    "Families": {
        "family_id": "Family ID",
        "case_id": "Case ID",
        "headline_outcomes": "Headline outcomes",
        "headline_count": "Number of headline outcomes",
        "needs": "Needs",
        "reclaim": "Re-claim",
        "reclaim_basis": "Why a re-claim is allowed",
        "data_problems": "Data problems (SPEC section 3)",
    },
    "Evidence": {
        "family_id": "Family ID",
        "case_id": "Case ID",
        "criterion": "Need",
        "headline": "Headline outcome",
        "need_person": "Person (pseudonymous ID)",
        "identified_date": "Need identified on",
        "basis": "Identified by whom",
        "identified_by": "How the need was identified",
        "outcome_met": "Outcome met",
        "met_date": "Outcome met on",
        "outcome_test": "Test that met the outcome",
        "source_tables": "Source tables",
        "source_rows": "Source rows (batch:line)",
    },
    "Not claimed": {
        "family_id": "Family ID",
        "case_id": "Case ID",
        "failed_gates": "Gates failed",
        "reasons": "Reasons",
        "earliest_pass_date": "Could pass on",
        "still_needs": "Still needs",
        "needs": "Needs",
        "headline_outcomes": "Headline outcomes",
        "data_problems": "Data problems (SPEC section 3)",
    },
    "Sources": {
        "batch_id": "Batch",
        "feed": "Feed",
        "file_name": "File",
        "folder": "Folder",
        "source_table": "Table or sheet in the file",
        "source_definition": "Source definition",
        "definition_sha256": "Source definition fingerprint (SHA-256)",
        "rows_in": "Rows in the file",
        "rows_staged": "Rows staged",
        "rows_quarantined": "Rows quarantined",
        "loaded_at": "Loaded at",
        "file_sha256": "File SHA-256",
        "read_as": "Read as",
    },
}
"""Each sheet's machine names (SPEC section 5, the header cells' values) and the headings
shown in their place. A column not listed shows its machine name."""

COUNT_COLUMNS = {
    "Families": ("headline_count",),
    "Sources": ("rows_in", "rows_staged", "rows_quarantined"),
}
SOURCE_COLUMNS = tuple(HEADINGS["Sources"])


@dataclass(frozen=True)
class ClaimWorkbook:
    """What goes in the workbook: the summary lines and one table per sheet."""

    summary: Sequence[tuple[str, object]]
    families: pd.DataFrame
    evidence: pd.DataFrame
    not_claimed: pd.DataFrame
    as_of: date
    sources: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=SOURCE_COLUMNS))
    """Every batch the Evidence sheet cites (claims/evidence_sources.py)."""


def summary_format(value: object) -> str | None:
    """A Summary value's number format: money, a share or a count."""
    if isinstance(value, Pounds):
        return MONEY_FORMAT
    if isinstance(value, Share):
        return PERCENT_FORMAT
    if isinstance(value, int) and not isinstance(value, bool):
        return COUNT_FORMAT
    return None


def gate_numbers(failed_gates: object) -> object:
    """`failed_gates` as a number where one gate failed (a spreadsheet can sort and filter
    it as one); a list of several gates ("1, 5") stays text."""
    text = str(failed_gates).strip() if failed_gates is not None else ""
    return int(text) if text.isdigit() else (text or None)


def layouts(content: ClaimWorkbook) -> dict[str, SheetLayout]:
    uk = (UK_DATE_FORMAT, UK_DATETIME_FORMAT)
    out = {
        sheet: SheetLayout(
            headings=headings,
            formats={name: COUNT_FORMAT for name in COUNT_COLUMNS.get(sheet, ())},
            dates=uk,
            printable=True,
        )
        for sheet, headings in HEADINGS.items()
    }
    out["Summary"] = SheetLayout(
        headings=HEADINGS["Summary"],
        cell_formats={"value": [summary_format(value) for _, value in content.summary]},
        dates=uk,
        autofilter=False,  # two columns of items: nothing to filter
        printable=True,
    )
    return out


def render(content: ClaimWorkbook) -> bytes:
    summary = pd.DataFrame(
        {
            "item": [item for item, _ in content.summary],
            "value": pd.Series([value for _, value in content.summary], dtype=object),
        }
    )
    not_claimed = content.not_claimed.copy()
    if "failed_gates" in not_claimed:
        not_claimed["failed_gates"] = pd.Series(
            [gate_numbers(v) for v in not_claimed["failed_gates"]],
            index=not_claimed.index,
            dtype=object,
        )
    sheets = [
        ("Summary", summary),
        ("Families", content.families),
        ("Evidence", content.evidence),
        ("Not claimed", not_claimed),
        ("Sources", content.sources),
    ]
    pinned = datetime(content.as_of.year, content.as_of.month, content.as_of.day)
    return render_sheets(sheets, pinned, layouts(content))


def write_workbook(path: Path, content: ClaimWorkbook) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(render(content))
    return path

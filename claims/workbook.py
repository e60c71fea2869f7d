"""The quarterly claim workbook (SPEC section 5).

Written through data_contracts/xlsx_writer.py, so an auditor's re-run gives the same bytes
and text that a spreadsheet would run as a formula stays text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from data_contracts.xlsx_writer import render_sheets


@dataclass(frozen=True)
class ClaimWorkbook:
    """What goes in the workbook: the summary lines and one table per sheet."""

    summary: Sequence[tuple[str, object]]
    families: pd.DataFrame
    evidence: pd.DataFrame
    not_claimed: pd.DataFrame
    as_of: date


def render(content: ClaimWorkbook) -> bytes:
    summary = pd.DataFrame(list(content.summary), columns=["item", "value"])
    sheets = [
        ("Summary", summary),
        ("Families", content.families),
        ("Evidence", content.evidence),
        ("Not claimed", content.not_claimed),
    ]
    pinned = datetime(content.as_of.year, content.as_of.month, content.as_of.day)
    return render_sheets(sheets, pinned)


def write_workbook(path: Path, content: ClaimWorkbook) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(render(content))
    return path

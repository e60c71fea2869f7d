"""The worklist's two workbooks: the practitioners' list, and a count version for analysts.

The practitioners' list names people who have not been referred to anyone, so it is kept
apart: it must be written into a folder of its own (not the warehouse's, not the one the
count version goes to), and its first sheet says what it holds and how to handle it. The
analysts' version has no names, dates of birth, postcodes or person IDs: each family
appears under its pseudonymous candidate family ID with counts. Both go through the
deterministic writer (data_contracts/xlsx_writer.py): the same worklist gives the same
bytes, and text a spreadsheet would run as a formula stays text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from claims.worklist import Worklist
from data_contracts.file_writes import write_whole
from data_contracts.personal_outputs import check_personal_folder, write_personal
from data_contracts.warehouse_paths import OutputPathError, check_output_file
from data_contracts.xlsx_writer import render_sheets

PERSONAL_FOLDER = "worklist-personal"


@dataclass(frozen=True)
class WorklistFiles:
    personal: Path
    counts: Path


def worklist_files(out: Path | None, counts: Path | None, as_of: date) -> WorklistFiles:
    """Where the two workbooks go: by default `worklist-personal/worklist-<date>.xlsx` and
    the count version in the folder above it (`worklist-<date>-counts.xlsx`)."""
    personal = out or Path(PERSONAL_FOLDER) / f"worklist-{as_of.isoformat()}.xlsx"
    counts = counts or personal.parent.parent / f"{personal.stem}-counts.xlsx"
    return WorklistFiles(personal, counts)


def check_worklist_files(files: WorklistFiles, warehouse: Path) -> None:
    """Refuse paths that would mix the personal list with other outputs."""
    # Not in an inbox, not beside the warehouse, only a new folder or one of personal outputs.
    check_personal_folder(files.personal, warehouse)
    check_output_file(files.personal, warehouse)
    check_output_file(files.counts, warehouse)
    folder = files.personal.resolve().parent
    if folder == files.counts.resolve().parent:
        raise OutputPathError(
            f"{files.counts}: the analysts' count version must not go in the folder of the "
            "personal list (choose another --counts-out)"
        )


def _moment(as_of: date) -> datetime:
    return datetime(as_of.year, as_of.month, as_of.day)


def _settings(worklist: Worklist) -> list[tuple[str, object]]:
    s = worklist.settings
    return [
        ("as-of date", worklist.as_of),
        ("needs shown by data in the months to the as-of date", s["worklist_need_months"]),
        ("headline outcomes needed to be listed", s["worklist_min_headlines"]),
        (
            "left out: a member on an early help case open, or closed in the months before",
            s["worklist_case_closed_months"],
        ),
        ("candidate families in the data", worklist.candidate_families),
        (
            "with a dependent child and no member known to early help",
            worklist.eligible_families,
        ),
        ("families listed", len(worklist.families)),
    ]


def personal_workbook(worklist: Worklist, counts_file: Path) -> bytes:
    """The practitioners' list: About, Families, Members, Evidence, Criteria."""
    about = [
        (
            "what this is",
            "The identification worklist: families whose data shows needs under several "
            "headline outcomes of the Supporting Families Outcomes Framework and who have no "
            "early help case, most headlines first, then the most recent evidence.",
        ),
        (
            "personal data",
            "This workbook holds personal data (names, dates of birth, postcodes) of people "
            "who have not been referred to early help. It is for the practitioners deciding "
            "whom to offer support: keep it in this folder, handle it under the council's "
            "data protection policy, and do not send it on. The analysts' version without "
            f"personal data is {counts_file.name}.",
        ),
        (
            "needs not known from data",
            "Needs only a practitioner can record (see the Criteria sheet) are shown as "
            "'not known from data': the family may well have them.",
        ),
        *_settings(worklist),
    ]
    families = worklist.families.rename(columns={"candidate_family_id": "family_id"})
    sheets = [
        ("About", pd.DataFrame(about, columns=["item", "value"])),
        ("Families", families.drop(columns=["need_rows"])),
        ("Members", worklist.members.rename(columns={"candidate_family_id": "family_id"})),
        ("Evidence", worklist.evidence.rename(columns={"candidate_family_id": "family_id"})),
        ("Criteria", worklist.criteria),
    ]
    return render_sheets(sheets, _moment(worklist.as_of))


def counts_workbook(worklist: Worklist) -> bytes:
    """The analysts' version: families under pseudonymous IDs with counts, no one named."""
    about = [
        (
            "what this is",
            "The identification worklist as counts: no names, dates of birth, postcodes or "
            "person IDs; each family appears under its pseudonymous candidate family ID. The "
            "practitioners' list with the people is kept apart.",
        ),
        *_settings(worklist),
    ]
    listed = worklist.families
    roles = worklist.members.groupby(["candidate_family_id", "role"]).size().unstack(fill_value=0)
    families = pd.DataFrame(
        {
            "rank": listed["rank"],
            "family_id": listed["candidate_family_id"],
            "headline_count": listed["headline_count"],
            "headlines": listed["headlines"],
            "needs": listed["needs"],
            "latest_evidence_month": pd.to_datetime(listed["latest_evidence"]).dt.strftime("%Y-%m"),
            "members": listed["members"],
            "adults": [
                int(roles.get("adult", {}).get(f, 0)) for f in listed["candidate_family_id"]
            ],
            "children": [
                int(roles.get("child", {}).get(f, 0)) for f in listed["candidate_family_id"]
            ],
        }
    )
    for code in worklist.headlines:
        families[code] = listed[code].to_numpy()
    sheets = [
        ("About", pd.DataFrame(about, columns=["item", "value"])),
        ("Families", families),
        ("Counts", count_table(worklist)),
        ("Criteria", worklist.criteria),
    ]
    return render_sheets(sheets, _moment(worklist.as_of))


def count_table(worklist: Worklist) -> pd.DataFrame:
    """Families listed by headline count, and families and people per headline and need."""
    rows: list[tuple[str, str, int]] = []
    by_count = worklist.families["headline_count"].value_counts().sort_index(ascending=False)
    for count, families in by_count.items():
        rows.append(("families by headline outcomes shown", f"{count} headlines", int(families)))
    evidence = worklist.evidence
    for code, name in worklist.headlines.items():
        under = evidence[evidence["headline"] == code]
        rows.append(
            ("families with a need under", f"{code} {name}", under["candidate_family_id"].nunique())
        )
    for criterion, rows_of in evidence.groupby("criterion"):
        rows.append(
            ("families with the need", str(criterion), rows_of["candidate_family_id"].nunique())
        )
        rows.append(("people with the need", str(criterion), rows_of["person_id"].nunique()))
    return pd.DataFrame(rows, columns=["count", "of", "value"])


def write_worklist(worklist: Worklist, files: WorklistFiles) -> WorklistFiles:
    # The personal list owner-only (0600) in its marked folder; both written whole.
    write_personal(files.personal, personal_workbook(worklist, files.counts))
    write_whole(files.counts, counts_workbook(worklist))
    return files

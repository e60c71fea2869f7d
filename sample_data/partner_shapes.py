"""The sample council in the shapes partners really send (`sfp sample --shape partner`).

The SPEC-shaped inbox is written first (sample_data/generate.py) and then each feed that
has a shipped source definition is rewritten in its partner's shape, row for row, so the
same council can be loaded both ways and compared (tests/data_contracts/
test_partner_shapes.py). The shapes follow the shipped definitions in
data_contracts/sources/ and the real field names they cite:

  school_census/          termly attendance and exclusions, DfE Common Basic Data Set names
  police_records/         pipe-delimited, Windows-1252, the force's person key and codes
  dwp_universal_credit/   tab-delimited, keyed by NINO, months as YYYYMM, DWP regime codes
  ssd/                    Standard Safeguarding Dataset tables, one zip of CSVs a month
  early_help_system/      the case system's workbook a month: Cases, Members, Needs, Outcomes

`housing` and `neet` stay in their SPEC folders (SPEC folders keep working unchanged).
truth/source_rows.csv is rewritten to the partner files' names and row numbers.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from sample_data.partner_tables import (
    SEX_WORD,
    Moves,
    rewrite_truth,
    spec_files,
    token,
    write_early_help,
    write_ssd,
)

PARTNER_FEEDS = (
    "attendance",
    "exclusions",
    "police",
    "dwp",
    "csc",
    "referrals",
    "eh_cases",
    "eh_members",
    "eh_needs",
    "eh_outcomes",
)
"""The feeds written in a partner's shape; the others stay in their SPEC folders."""
SHAPES = ("spec", "partner")
"""`sfp sample --shape`: every feed in its SPEC folder, or the partner feeds rewritten."""


def write_partner_shapes(out: Path) -> None:
    """Rewrite `out/inbox` (a SPEC-shaped sample) in partner shapes, and its truth."""
    inbox = out / "inbox"
    moves: Moves = {}
    _census(inbox, "attendance", _attendance_row, ATTENDANCE_HEADER)
    _census(inbox, "exclusions", _exclusion_row, EXCLUSION_HEADER)
    _police(inbox)
    _dwp(inbox)
    write_ssd(inbox, moves)
    write_early_help(inbox, moves)
    rewrite_truth(out / "truth" / "source_rows.csv", moves)


def _write_text(path: Path, header: list[str], rows: list[list[str]], **options: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    encoding = options.pop("encoding", "utf-8")
    with path.open("w", newline="", encoding=encoding, errors="replace") as handle:
        writer = csv.writer(handle, **options)  # type: ignore[arg-type]
        writer.writerow(header)
        writer.writerows(rows)


def _uk(iso: str, time: str = "") -> str:
    if not iso:
        return ""
    day = date.fromisoformat(iso)
    return day.strftime("%d/%m/%Y") + (f" {time}" if time else "")


# ---------------------------------------------------------------- school census


ATTENDANCE_HEADER = ["URN", "ReferenceDate", "UPN", "Surname", "Forename", "DOB", "Gender"]
ATTENDANCE_HEADER += ["PostCode", "AddressLine1", "TermlySessionsPossible"]
ATTENDANCE_HEADER += ["TermlySessionsAuthorised", "TermlySessionsUnauthorised"]
EXCLUSION_HEADER = ["URN", "UPN", "Surname", "Forename", "DOB", "Gender", "PostCode"]
EXCLUSION_HEADER += ["AddressLine1", "StartDate", "Category", "Sessions", "Reason1"]
CENSUS_CATEGORY = {"suspension": "SUSP", "permanent": "PERM"}


def census_date(academic_year: str, term: str) -> date:
    """The date of the census that reports a term's attendance (the next term's census):
    spring census, third Thursday of January; summer, third Thursday of May; autumn,
    first Thursday of October (DfE school census guide)."""
    start = int(academic_year[:4])
    year, month, week = {
        "autumn": (start + 1, 1, 3),
        "spring": (start + 1, 5, 3),
        "summer": (start + 1, 10, 1),
    }[term]
    first = date(year, month, 1)
    thursday = first + timedelta(days=(3 - first.weekday()) % 7)
    return thursday + timedelta(weeks=week - 1)


def _attendance_row(row: dict[str, str]) -> list[str]:
    reference = census_date(row["academic_year"], row["term"]).isoformat()
    return [
        row["school_urn"],
        reference,
        row["upn"],
        row["surname"],
        row["forename"],
        row["dob"],
        row["sex"],
        row["postcode"],
        row["address"],
        row["sessions_possible"],
        row["sessions_authorised_absence"],
        row["sessions_unauthorised_absence"],
    ]


def _exclusion_row(row: dict[str, str]) -> list[str]:
    sessions = round(float(row["days_lost"]) * 2) if row["days_lost"] else ""
    return [
        row["school_urn"],
        row["upn"],
        row["surname"],
        row["forename"],
        row["dob"],
        row["sex"],
        row["postcode"],
        row["address"],
        row["start_date"],
        CENSUS_CATEGORY.get(row["category"], row["category"]),
        str(sessions),
        "PA",
    ]


def _census(
    inbox: Path, feed: str, shape: Callable[[dict[str, str]], list[str]], header: list[str]
) -> None:
    for path, rows, _ in list(spec_files(inbox, feed)):
        converted = [shape(row) for row in rows]
        _write_text(inbox / "school_census" / path.name, header, converted)


# ---------------------------------------------------------------- police, DWP

POLICE_HEADER = ["OccurrenceRef", "OccurrenceDate", "NominalID", "Surname", "Forenames"]
POLICE_HEADER += ["DateOfBirth", "Sex", "Postcode", "Address", "InvolvementCode"]
POLICE_HEADER += ["SeriousOffence"]
POLICE_CODES = {
    "offence": "OFF",
    "arrest": "ARR",
    "named_suspect": "SUS",
    "asb": "ASB",
    "missing_episode": "MFH",
    "da_victim": "DAV",
    "da_perpetrator": "DAP",
    "da_child_present": "DAC",
    "cse_concern": "CSE",
    "cce_concern": "CCE",
}
YES_NO = {"true": "Y", "false": "N", "": ""}


def _police(inbox: Path) -> None:
    for path, rows, encoding in list(spec_files(inbox, "police")):
        converted = []
        for row in rows:
            minute = token(row["incident_id"]) % (24 * 60)
            converted.append(
                [
                    row["incident_id"],
                    _uk(row["event_date"], f"{minute // 60:02d}:{minute % 60:02d}"),
                    row["source_person_id"],
                    row["surname"],
                    row["forename"],
                    _uk(row["dob"]),
                    SEX_WORD.get(row["sex"], row["sex"]),
                    row["postcode"],
                    row["address"],
                    POLICE_CODES.get(row["event_type"], row["event_type"]),
                    YES_NO.get(row["severe_offence"].lower(), row["severe_offence"]),
                ]
            )
        target = inbox / "police_records" / path.name
        _write_text(target, POLICE_HEADER, converted, delimiter="|", encoding=encoding)


DWP_HEADER = ["NINO", "Surname", "Forenames", "DOB", "Gender", "Postcode", "AddressLine1"]
DWP_HEADER += ["AssessmentPeriodMonth", "BenefitType", "ConditionalityRegime"]
DWP_BENEFIT = {"universal_credit": "UC", "jsa": "JSA", "esa": "ESA", "income_support": "IS"}
DWP_BENEFIT |= {"other": "OTH"}
DWP_REGIMES = {"out_of_work": ("SFW", "PLW", "PRW", "NWR"), "in_work": ("WWR", "WNR")}


def _dwp(inbox: Path) -> None:
    for path, rows, _ in list(spec_files(inbox, "dwp")):
        converted = []
        for row in rows:
            regimes = DWP_REGIMES.get(row["work_status"], (row["work_status"],))
            converted.append(
                [
                    row["nino"],
                    row["surname"],
                    row["forename"],
                    _uk(row["dob"]),
                    SEX_WORD.get(row["sex"], row["sex"]),
                    row["postcode"],
                    row["address"],
                    row["month"].replace("-", ""),
                    DWP_BENEFIT.get(row["benefit"], row["benefit"]),
                    regimes[token(row["nino"], row["month"]) % len(regimes)],
                ]
            )
        _write_text(
            inbox / "dwp_universal_credit" / path.name, DWP_HEADER, converted, delimiter="\t"
        )

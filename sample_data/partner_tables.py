"""Partner shapes that arrive as several tables: the SSD zip and the early help workbook.

Part of `sfp sample --shape partner` (sample_data/partner_shapes.py). A relational
extract holds each person once, while the sample records a person's details afresh on
every row (typos, a postcode written without its space): when one person's details differ
between two rows of one month, the second row goes into another extract of that month
(`2024-05-2.zip`), as a second run of the extract would carry them. Nothing is lost and
every row keeps its details.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import shutil
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from data_contracts.source_catalogue import SHIPPED_SOURCES, load_definition
from data_contracts.xlsx_writer import FIXED_ZIP_TIME, render_sheets

WORKBOOK_MOMENT = datetime(2025, 10, 1)
EXCEL_EPOCH = date(1899, 12, 30)
SEX_WORD = {"M": "Male", "F": "Female", "U": "Unknown"}
PERSON_FIELDS: tuple[str, ...] = ("forename", "surname", "dob", "sex", "postcode", "address")
PERSON_FIELDS += ("upn", "nino", "nhs_number")
Moves = dict[tuple[str, str, str], tuple[str, int]]
"""(feed, SPEC file name, SPEC row) -> (partner file name, partner row), for the truth."""


def read_rows(path: Path) -> tuple[list[dict[str, str]], str]:
    """A SPEC-shaped file's rows and the encoding it was written in."""
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    return list(csv.DictReader(io.StringIO(text, newline=""))), encoding


def spec_files(inbox: Path, feed: str) -> Iterator[tuple[Path, list[dict[str, str]], str]]:
    """Each SPEC file of a feed with its rows; the SPEC folder goes once all are read."""
    folder = inbox / feed
    if not folder.is_dir():
        return
    for path in sorted(folder.glob("*.csv")):
        rows, encoding = read_rows(path)
        yield path, rows, encoding
    shutil.rmtree(folder)


def token(*parts: str) -> int:
    """A repeatable number from text: the same sample gives the same partner files."""
    return int(hashlib.sha256("|".join(parts).encode()).hexdigest()[:8], 16)


# ---------------------------------------------------------------- Standard Safeguarding Dataset

SSD_SEX = {"M": "1", "F": "2", "U": "0"}
SSD_COLUMNS = {
    "ssd_person": ["pers_person_id", "pers_forename", "pers_surname", "pers_sex", "pers_dob"],
    "ssd_linked_identifiers": [
        "link_table_id",
        "link_person_id",
        "link_identifier_type",
        "link_identifier_value",
    ],
    "ssd_address": [
        "addr_table_id",
        "addr_person_id",
        "addr_address_json",
        "addr_address_postcode",
        "addr_address_start_date",
        "addr_address_end_date",
    ],
    "ssd_cin_plans": [
        "cinp_cin_plan_id",
        "cinp_person_id",
        "cinp_cin_plan_start_date",
        "cinp_cin_plan_end_date",
    ],
    "ssd_cp_plans": [
        "cppl_cp_plan_id",
        "cppl_person_id",
        "cppl_cp_plan_start_date",
        "cppl_cp_plan_end_date",
    ],
    "ssd_cla_episodes": [
        "clae_cla_episode_id",
        "clae_person_id",
        "clae_cla_episode_start_date",
        "clae_cla_episode_ceased_date",
    ],
    "ssd_early_help_episodes": [
        "earl_episode_id",
        "earl_person_id",
        "earl_episode_start_date",
        "earl_episode_end_date",
        "earl_episode_end_reason",
    ],
    "ssd_cin_episodes": [
        "cine_referral_id",
        "cine_person_id",
        "cine_referral_date",
        "cine_referral_nfa",
    ],
}
PLAN_TABLE = {"cin": "ssd_cin_plans", "cp": "ssd_cp_plans", "lac": "ssd_cla_episodes"}
IDENTIFIER_TYPES = {"nhs_number": "NHS Number", "upn": "Unique Pupil Number"}
IDENTIFIER_TYPES |= {"nino": "National Insurance Number"}
NOT_ACCEPTED = "Consent declined"


def _ssd_datetime(iso: str) -> str:
    return f"{iso} 00:00:00.000" if iso else ""


def _address_json(address: str) -> str:
    match = re.fullmatch(r"(\d+[A-Za-z]?) (.+)", address)
    house, street = (match.group(1), match.group(2)) if match else ("", address)
    parts = {"ROOM": "", "FLOOR": "", "FLAT": "", "BUILDING": "", "HOUSE": house}
    parts |= {"STREET": street, "TOWN": "", "UPRN": "", "EASTING": "", "NORTHING": ""}
    return json.dumps(parts)


class _Extract:
    """One SSD extract (a zip of CSV tables) being filled with one month's rows."""

    def __init__(self) -> None:
        self.people: dict[str, tuple[str, ...]] = {}
        self.tables: dict[str, list[list[str]]] = {name: [] for name in SSD_COLUMNS}
        self.rows: list[tuple[str, str, str, str, int]] = []
        """(feed, SPEC file, SPEC row, table, line in table) for every event row."""

    def fits(self, person_id: str, details: tuple[str, ...]) -> bool:
        return self.people.get(person_id, details) == details

    def add_person(self, person_id: str, row: dict[str, str], details: tuple[str, ...]) -> None:
        if person_id in self.people:
            return
        self.people[person_id] = details
        self.tables["ssd_person"].append(
            [
                person_id,
                row["forename"],
                row["surname"],
                SSD_SEX.get(row["sex"], row["sex"]),
                _ssd_datetime(row["dob"]),
            ]
        )
        for column, kind in IDENTIFIER_TYPES.items():
            if row.get(column):
                table = self.tables["ssd_linked_identifiers"]
                table.append([f"L{len(table) + 1}", person_id, kind, row[column]])
        if row["address"] or row["postcode"]:
            table = self.tables["ssd_address"]
            table.append(
                [
                    f"A{len(table) + 1}",
                    person_id,
                    _address_json(row["address"]),
                    row["postcode"],
                    "",
                    "",
                ]
            )

    def add_event(self, feed: str, source: tuple[str, str], table: str, values: list[str]) -> None:
        self.tables[table].append(values)
        self.rows.append((feed, source[0], source[1], table, len(self.tables[table]) + 1))

    def zip_bytes(self) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, rows in self.tables.items():
                text = io.StringIO(newline="")
                writer = csv.writer(text)
                writer.writerow(SSD_COLUMNS[name])
                writer.writerows(rows)
                info = zipfile.ZipInfo(f"{name}.csv", date_time=FIXED_ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, text.getvalue().encode("utf-8"))
        return out.getvalue()


def write_ssd(inbox: Path, moves: Moves) -> None:
    """csc and referrals -> ssd/<month>.zip (and <month>-2.zip ... when a person's details
    differ within the month), rows in the order the definition's queries return them."""
    months: dict[str, list[_Extract]] = {}
    for feed in ("csc", "referrals"):
        for path, rows, _ in list(spec_files(inbox, feed)):
            extracts = months.setdefault(path.stem, [])
            for number, row in enumerate(rows, start=2):
                person_id = row["source_person_id"]
                details = tuple(row[f] for f in PERSON_FIELDS)
                extract = next((e for e in extracts if e.fits(person_id, details)), None)
                if extract is None:
                    extract = _Extract()
                    extracts.append(extract)
                extract.add_person(person_id, row, details)
                key = f"{feed}-{path.stem}-{number}"
                table, values = _ssd_event(feed, row, key)
                extract.add_event(feed, (path.name, str(number)), table, values)
    order = [
        t.name for t in load_definition(SHIPPED_SOURCES / "ssd_childrens_social_care.yaml").tables
    ]
    for month, extracts in sorted(months.items()):
        for part, extract in enumerate(extracts, start=1):
            name = f"{month}.zip" if part == 1 else f"{month}-{part}.zip"
            target = inbox / "ssd" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(extract.zip_bytes())
            for feed in ("csc", "referrals"):
                mine = sorted(
                    (r for r in extract.rows if r[0] == feed),
                    key=lambda r: (order.index(r[3]), r[4]),
                )
                for position, (_, spec_file, spec_row, _, _) in enumerate(mine, start=2):
                    moves[feed, spec_file, spec_row] = (name, position)


def _ssd_event(feed: str, row: dict[str, str], key: str) -> tuple[str, list[str]]:
    person_id = row["source_person_id"]
    event_id = f"E{token(key):08X}"
    if feed == "csc":
        table = PLAN_TABLE[row["plan_type"]]
        dates = [_ssd_datetime(row["start_date"]), _ssd_datetime(row["end_date"])]
        return table, [event_id, person_id, *dates]
    accepted = row["accepted"].lower() in ("true", "yes", "y", "1", "t")
    day = _ssd_datetime(row["referral_date"])
    if row["service"] == "childrens_social_care":
        return "ssd_cin_episodes", [event_id, person_id, day, "N" if accepted else "Y"]
    end, reason = ("", "") if accepted else (day, NOT_ACCEPTED)
    return "ssd_early_help_episodes", [event_id, person_id, day, end, reason]


# ---------------------------------------------------------------- early help case system

EH_SHEETS = {
    "eh_cases": (
        "Cases",
        {
            "case_id": "Case Reference",
            "family_ref": "Family Reference",
            "lead_practitioner": "Lead Practitioner",
            "opened_date": "Date Opened",
            "whole_family_assessment_date": "Assessment Completed",
            "action_plan_date": "Family Plan Agreed",
            "closed_date": "Date Closed",
        },
    ),
    "eh_members": (
        "Members",
        {
            "case_id": "Case Reference",
            "source_person_id": "Person Reference",
            "forename": "First Name",
            "surname": "Last Name",
            "dob": "Date of Birth",
            "sex": "Gender",
            "postcode": "Postcode",
            "address": "Address Line 1",
            "upn": "UPN",
            "nino": "NI Number",
            "nhs_number": "NHS Number",
            "role": "Relationship to Case",
        },
    ),
    "eh_needs": (
        "Needs",
        {
            "case_id": "Case Reference",
            "source_person_id": "Person Reference",
            "criterion": "Need",
            "identified_date": "Date Identified",
            "basis": "Identified By",
        },
    ),
    "eh_outcomes": (
        "Outcomes",
        {
            "case_id": "Case Reference",
            "source_person_id": "Person Reference",
            "criterion": "Need",
            "achieved_date": "Date Achieved",
            "evidence": "Evidence Type",
        },
    ),
}
EH_LABELS = {
    "role": {
        "parent_carer": "Parent/Carer",
        "child": "Child",
        "expectant_parent": "Expectant Parent",
        "other_adult": "Other Adult",
    },
    "basis": {"practitioner": "Practitioner", "data": "Data match"},
    "evidence": {
        "practitioner_assessed": "Practitioner assessed",
        "self_assessed": "Self assessed",
        "validated_measure": "Validated measure",
        "service_confirmation": "Service confirmation",
        "other": "Other",
    },
    "sex": SEX_WORD,
}
DATE_COLUMNS: tuple[str, ...] = (
    "dob", "opened_date", "whole_family_assessment_date", "action_plan_date"
)  # fmt: skip
DATE_COLUMNS += ("closed_date", "identified_date", "achieved_date")


def _need_labels() -> dict[str, str]:
    """Criterion -> the case system's label, from the lookup the council edits."""
    with (SHIPPED_SOURCES / "early_help_cases_needs.csv").open(encoding="utf-8") as handle:
        return {row["criterion"]: row["need"] for row in csv.DictReader(handle)}


def _excel_day(iso: str) -> int | None:
    """A date as the day number a workbook cell without a date format shows."""
    return (date.fromisoformat(iso) - EXCEL_EPOCH).days if iso else None


def write_early_help(inbox: Path, moves: Moves) -> None:
    """eh_cases, eh_members, eh_needs, eh_outcomes -> early_help_system/<month>.xlsx,
    one sheet each (a month with nothing for a feed has that sheet's header only)."""
    needs = _need_labels()
    months: dict[str, dict[str, list[list[object]]]] = {}
    for feed, (_, columns) in EH_SHEETS.items():
        for path, rows, _ in list(spec_files(inbox, feed)):
            sheet = months.setdefault(path.stem, {f: [] for f in EH_SHEETS})[feed]
            for number, row in enumerate(rows, start=2):
                sheet.append([_eh_value(name, row[name], needs) for name in columns])
                moves[feed, path.name, str(number)] = (f"{path.stem}.xlsx", number)
    for month, sheets in sorted(months.items()):
        frames = [
            (title, pd.DataFrame(sheets[feed], columns=list(columns.values()), dtype=object))
            for feed, (title, columns) in EH_SHEETS.items()
        ]
        target = inbox / "early_help_system" / f"{month}.xlsx"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(render_sheets(frames, WORKBOOK_MOMENT))


def _eh_value(column: str, value: str, needs: dict[str, str]) -> object:
    if column in DATE_COLUMNS:
        return _excel_day(value)
    if column == "criterion":
        return needs.get(value, value)
    if column in EH_LABELS:
        return EH_LABELS[column].get(value, value)
    return value or None


def rewrite_truth(path: Path, moves: Moves) -> None:
    """truth/source_rows.csv with the partner files' names and rows (flat files keep the
    SPEC files' names and line numbers, so only the several-table shapes move)."""
    if not path.exists():
        return
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    for row in rows[1:]:
        moved = moves.get((row[0], row[1], row[2]))
        if moved is not None:
            row[1], row[2] = moved[0], str(moved[1])
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)

"""Partner extracts through the nightly ingest: mapped, validated, quarantined, refused.

Each test drops files shaped as a partner sends them into a real inbox and loads it into a
real warehouse with `ingest_inbox`; the staged values, quarantine lines and refusals are
read back from the warehouse.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from data_contracts.ingest import ingest_inbox
from data_contracts.source_catalogue import SHIPPED_SOURCES, load_catalogue
from data_contracts.source_ingest import StaleBatchReport, stale_batches
from data_contracts.warehouse import connect
from tests.conftest import write_csv

RUN_AT = datetime(2026, 1, 5, 2, 30)

# The issue's own example: an attendance file keyed by UPN with no source_person_id,
# spreadsheet date-times, sex as a word, the year as 2024-25 and the term written out.
MIS_HEADER = ["UPN", "Legal Surname", "Legal Forename", "Date of Birth", "Gender"]
MIS_HEADER += ["Postcode", "School URN", "Academic Year", "Term", "Possible Sessions"]
MIS_HEADER += ["Authorised Absence", "Unauthorised Absence"]
MIS_ROWS = [
    ["A123456789012", "Smith", "Amy", "03/02/2015 00:00:00", "Female", "MK9 1AA", "123456"]
    + ["2024-25", "Autumn Term", "140", "10", "4"],
    ["B123456789012", "Jones", "Ben", "2014-07-30", "Male", "MK9 2BB", "123456"]
    + ["2024/25", "spring term", "120", "0", "61"],
    ["C123456789012", "Khan", "Cai", "45000", "MALE", "MK9 3CC", "123456"]
    + ["2024-2025", "SUM", "130", "1", "2"],
    ["D123456789012", "Lee", "Dee", "01/01/2016", "Female", "MK9 4DD", "123456"]
    + ["2024-25", "Winter Term", "130", "1", "2"],
]


def load(inbox: Path, warehouse: Path, **options: object) -> list:
    with connect(warehouse) as con:
        return ingest_inbox(con, inbox, RUN_AT, **options)  # type: ignore[arg-type]


def query(warehouse: Path, sql: str) -> list[tuple]:
    with connect(warehouse, read_only=True) as con:
        return con.execute(sql).fetchall()


def test_an_mis_attendance_extract_keyed_by_upn_loads(tmp_path: Path) -> None:
    write_csv(tmp_path / "inbox" / "school_attendance" / "2024-25.csv", MIS_HEADER, MIS_ROWS)
    [report] = load(tmp_path / "inbox", tmp_path / "w.duckdb")
    assert (report.rows_in, report.rows_staged, report.rows_quarantined) == (4, 3, 1)
    staged = query(
        tmp_path / "w.duckdb",
        "select source_person_id, upn, surname, dob, sex, academic_year, term, term_end,"
        " sessions_possible from stg_attendance order by upn",
    )
    assert staged == [
        ("A123456789012", "A123456789012", "Smith", date(2015, 2, 3), "F", "2024/25", "autumn")
        + (date(2024, 12, 31), 140),
        ("B123456789012", "B123456789012", "Jones", date(2014, 7, 30), "M", "2024/25", "spring")
        + (date(2025, 3, 31), 120),
        ("C123456789012", "C123456789012", "Khan", date(2023, 3, 15), "M", "2024/25", "summer")
        + (date(2025, 7, 31), 130),
    ]
    assert query(
        tmp_path / "w.duckdb", "select row_number, column_name, reason from quarantine_row"
    ) == [(5, "term", "no mapping for 'Winter Term' in term (source school_attendance)")]
    assert query(tmp_path / "w.duckdb", "select source from load_source") == [
        ("school_attendance",)
    ]


def test_any_of_the_four_delimiters_is_read(tmp_path: Path) -> None:
    for delimiter, name in ((";", "semi"), ("\t", "tab"), ("|", "pipe"), (",", "comma")):
        write_csv(
            tmp_path / "inbox" / "school_attendance" / f"{name}.csv",
            MIS_HEADER,
            [[row[0][:-1] + name[0], *row[1:7], "2023-24", *row[8:]] for row in MIS_ROWS[:3]],
        )
        path = tmp_path / "inbox" / "school_attendance" / f"{name}.csv"
        path.write_text(path.read_text().replace(",", delimiter))
    reports = load(tmp_path / "inbox", tmp_path / "w.duckdb")
    # Other pupils in each file (the same rows twice would be repeats, quarantined): each
    # file is its own batch of three staged rows.
    assert [(r.rows_in, r.rows_staged) for r in reports] == [(3, 3)] * 4, [
        r.line() for r in reports
    ]


def council_police(folder: Path, *edits: tuple[str, str]) -> Path:
    """The shipped police definition, copied into a council's folder and edited as text."""
    text = (SHIPPED_SOURCES / "police_records.yaml").read_text()
    for old, new in edits:
        assert old in text
        text = text.replace(old, new)
    folder.mkdir(exist_ok=True)
    (folder / "police_records.yaml").write_text(text)
    return folder


POLICE_HEADER = "OccurrenceRef|OccurrenceDate|NominalID|Surname|Forenames|DateOfBirth|Sex"
POLICE_HEADER += "|Postcode|Address|InvolvementCode|SeriousOffence"


def police_file(path: Path, *rows: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\r\n".join([POLICE_HEADER, *rows]) + "\r\n").encode("cp1252"))
    return path


def test_a_value_with_no_mapping_is_quarantined_without_personal_values(tmp_path: Path) -> None:
    police_file(
        tmp_path / "inbox" / "police_records" / "2025-01.csv",
        "I1|02/01/2025 10:15|N1|Brontë|Anne|17/01/1990|Femme|MK1 1AA|1 Road|OFF|N",
        "I2|03/01/2025 11:00|N2|Clark|Ava|07/03/1985|Female|MK1 1AB|2 Road|WIT|N",
        "I3|31/02/2025 11:00|N3|Bell|Cy|07/03/1985|Male|MK1 1AC|3 Road|ARR|Y",
        "I4|04/01/2025 09:00|N4|Dunn|Di|07/03/1985|Male|MK1 1AD|4 Road|ASB",
    )
    sources = load_catalogue(
        council_police(tmp_path / "council", ("folder:", "personal: [sex]\nfolder:"))
    )
    [report] = load(tmp_path / "inbox", tmp_path / "w.duckdb", sources=sources)
    assert (report.rows_in, report.rows_staged, report.rows_quarantined) == (4, 0, 4)
    lines = query(
        tmp_path / "w.duckdb",
        "select row_number, column_name, reason from quarantine_row order by row_number",
    )
    assert lines == [
        (2, "sex", "no mapping for the value in sex (source police_records)"),
        (3, "event_type", "no mapping for 'WIT' in event_type (source police_records)"),
        (
            4,
            "event_date",
            "expected a date as DD/MM/YYYY hh:mm, DD/MM/YYYY, YYYY-MM-DD (source police_records)",
        ),
        (5, "(whole row)", "expected 11 fields, found 10"),
    ]
    assert not any("Femme" in reason for *_, reason in lines)
    checks = {r.label: r.row_numbers for r in report.checks if r.source == "source"}
    assert checks == {
        "sex mapped by source police_records": (2,),
        "event_type mapped by source police_records": (3,),
        "event_date mapped by source police_records": (4,),
        "one field per column in source police_records": (5,),
    }


def test_a_new_extract_loads_by_editing_only_its_definition(tmp_path: Path) -> None:
    """The force renames its columns and recodes its involvements: the analyst edits the
    YAML (no code), and the same file that was refused loads."""
    inbox = tmp_path / "inbox"
    path = inbox / "police_records" / "2025-02.csv"
    path.parent.mkdir(parents=True)
    path.write_text(
        "Incident No;Occurred;Person Ref;Surname;Forenames;DateOfBirth;Sex;Postcode;Address;"
        "Offence Group;Serious\n"
        "X1;2025-02-01T22:10:00;P9;Hart;Ed;1980-05-05;M;MK2 2AA;9 Lane;VIOL;1\n"
        "X2;2025-02-02T08:00:00;P9;Hart;Ed;1980-05-05;M;MK2 2AA;9 Lane;MISSING;0\n"
    )
    council = council_police(tmp_path / "council")
    [refused] = load(inbox, tmp_path / "w.duckdb", sources=load_catalogue(council))
    assert refused.error.startswith(
        f"{path}: missing column(s) for feed police of source police_records:"
    )
    assert (
        "incident_id (OccurrenceRef or Occurrence Reference or Incident Number or incident_id)"
        in refused.error
    )

    council_police(
        council,
        ("read:\n  delimiter: pipe", "read:\n  delimiter: semicolon"),
        ('date_formats: ["%d/%m/%Y %H:%M", uk, iso]', 'date_formats: ["%Y-%m-%dT%H:%M:%S", iso]'),
        ("[NominalID, Nominal ID, Person URN]", "[Person Ref]"),
        ("[OccurrenceRef, Occurrence Reference, Incident Number]", "[Incident No]"),
        ("[OccurrenceDate, Occurrence Date, Committed Date]", "[Occurred]"),
        ("[InvolvementCode, Involvement Code, Involvement]", "[Offence Group]"),
        ("[SeriousOffence, Serious Offence]", "[Serious]"),
        ("OFF: offence", "VIOL: offence\n        MISSING: missing_episode"),
    )
    [report] = load(inbox, tmp_path / "w.duckdb", sources=load_catalogue(council))
    assert (report.rows_in, report.rows_staged, report.rows_quarantined) == (2, 2, 0), report.line()
    assert query(
        tmp_path / "w.duckdb",
        "select incident_id, source_person_id, event_date, event_type, severe_offence"
        " from stg_police order by incident_id",
    ) == [
        ("X1", "P9", date(2025, 2, 1), "offence", True),
        ("X2", "P9", date(2025, 2, 2), "missing_episode", False),
    ]


def test_a_changed_definition_flags_its_batches_and_rebuild_reloads_them(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    warehouse = tmp_path / "w.duckdb"
    police_file(
        inbox / "police_records" / "2025-03.csv",
        "I1|02/03/2025 10:15|N1|Ames|Al|17/01/1990|Male|MK1 1AA|1 Road|OFF|N",
        "I2|03/03/2025 11:00|N2|Bell|Bo|07/03/2011|Female|MK1 1AB|2 Road|MISS|N",
    )
    council = council_police(tmp_path / "council")
    [first] = load(inbox, warehouse, sources=load_catalogue(council))
    assert (first.rows_staged, first.rows_quarantined) == (1, 1)

    council_police(
        council, ("MFH: missing_episode", "MFH: missing_episode\n        MISS: missing_episode")
    )
    changed = load_catalogue(council)
    [stale] = load(inbox, warehouse, sources=changed)
    assert isinstance(stale, StaleBatchReport) and stale.batch_id == first.batch_id
    assert "under an earlier definition of source police_records" in stale.line()
    assert "`sfp nightly --rebuild` reloads it" in stale.line()
    with connect(warehouse) as con:
        assert [b for b, *_ in stale_batches(con, changed)] == [first.batch_id]
        assert stale_batches(con, load_catalogue(tmp_path / "council")) != []

    [reloaded] = load(inbox, warehouse, sources=changed, reload_stale=True)
    assert reloaded.status == "loaded" and reloaded.supersedes == (first.batch_id,)
    assert (reloaded.rows_staged, reloaded.rows_quarantined) == (2, 0)
    assert query(warehouse, "select event_type from stg_police order by incident_id") == [
        ("offence",),
        ("missing_episode",),
    ]
    assert query(warehouse, "select count(*) from stg_police_all") == [(3,)]
    with connect(warehouse) as con:
        assert stale_batches(con, changed) == []
    [again] = load(inbox, warehouse, sources=changed)
    assert again.status == "already loaded" and not isinstance(again, StaleBatchReport)


def test_a_folder_of_several_definitions_refuses_a_file_matching_none(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "inbox" / "school_census" / "odd.csv",
        ["UPN", "Surname", "Forename", "DOB", "Gender", "URN", "TermlySessionsPossible"],
        [["A1", "X", "Y", "2015-01-01", "M", "100001", "100"]],
    )
    [report] = load(tmp_path / "inbox", tmp_path / "w.duckdb")
    assert report.error == (
        f"{path}: matches no source definition (tried: school_census_attendance,"
        " school_census_exclusions); closest: school_census_attendance (missing academic_year"
        " (derived from ReferenceDate or CensusDate or academic_year), term (derived from"
        " ReferenceDate or CensusDate or term),"
        " sessions_authorised_absence (TermlySessionsAuthorised or sessions_authorised_absence),"
        " sessions_unauthorised_absence (TermlySessionsUnauthorised or"
        " sessions_unauthorised_absence))"
    )
    assert query(tmp_path / "w.duckdb", "select error from load_error") == [(report.error,)]


def test_a_workbook_sheet_below_title_lines_with_excel_day_numbers(tmp_path: Path) -> None:
    council = tmp_path / "council"
    council.mkdir()
    (council / "neet_tracker.yaml").write_text(
        "name: neet_tracker\n"
        "folder: ccis\n"
        "read: {sheet: Cohort, header_row: 3}\n"
        "feeds:\n"
        "  neet:\n"
        "    columns:\n"
        "      source_person_id: [CCIS ID]\n"
        "      dob: [Birth date]\n"
        "      month: [Period]\n"
        "      status: [Activity]\n"
        "    values:\n"
        "      status: {NEET: neet, EET: eet, Not known: unknown}\n"
    )
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    sheet = book.create_sheet("Cohort")
    sheet.append(["CCIS monthly cohort"])
    sheet.append([])
    sheet.append(["CCIS ID", "Forename", "Surname", "Birth date", "Period", "Activity"])
    sheet.append(["Y1", "Ann", "Ash", 38000, "Jul 2025", "NEET"])
    sheet.append(["Y2", "Bob", "Birch", datetime(2008, 4, 5), "2025-07", "Not known"])
    path = tmp_path / "inbox" / "ccis" / "2025-07.xlsx"
    path.parent.mkdir(parents=True)
    book.save(path)
    [report] = load(tmp_path / "inbox", tmp_path / "w.duckdb", sources=load_catalogue(council))
    assert (report.rows_in, report.rows_staged) == (2, 2), report.line()
    assert query(
        tmp_path / "w.duckdb", "select row_number, dob, month, status from stg_neet order by 1"
    ) == [
        (4, date(2004, 1, 14), date(2025, 7, 1), "neet"),
        (5, date(2008, 4, 5), date(2025, 7, 1), "unknown"),
    ]


def ssd_zip(path: Path, tables: dict[str, list[list[str]]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        for name, rows in tables.items():
            text = io.StringIO()
            csv.writer(text).writerows(rows)
            archive.writestr(f"{name}.csv", text.getvalue())
    return path


SSD_EMPTY = {
    "ssd_linked_identifiers": [["link_person_id", "link_identifier_type", "link_identifier_value"]],
    "ssd_address": [
        ["addr_person_id", "addr_address_json", "addr_address_postcode"]
        + ["addr_address_start_date", "addr_address_end_date"]
    ],
    "ssd_cp_plans": [["cppl_person_id", "cppl_cp_plan_start_date", "cppl_cp_plan_end_date"]],
    "ssd_cla_episodes": [
        ["clae_person_id", "clae_cla_episode_start_date", "clae_cla_episode_ceased_date"]
    ],
    "ssd_early_help_episodes": [
        ["earl_person_id", "earl_episode_start_date", "earl_episode_end_date"]
        + ["earl_episode_end_reason"]
    ],
    "ssd_cin_episodes": [["cine_person_id", "cine_referral_date", "cine_referral_nfa"]],
}


def test_ssd_tables_lose_no_plan_whose_person_or_line_is_broken(tmp_path: Path) -> None:
    tables = {
        **SSD_EMPTY,
        "ssd_person": [
            ["pers_person_id", "pers_forename", "pers_surname", "pers_sex", "pers_dob"],
            ["C1", "Ana", "Ray", "2", "2015-06-01 00:00:00.000"],
        ],
        "ssd_cin_plans": [
            [
                "cinp_cin_plan_id",
                "cinp_person_id",
                "cinp_cin_plan_start_date",
                "cinp_cin_plan_end_date",
            ],
            ["P1", "C1", "2024-05-01 00:00:00.000", ""],
            ["P2", "C404", "2024-06-01 00:00:00.000", ""],
            ["P3", "C1", "2024-07-01 00:00:00.000"],
        ],
        "ssd_cp_plans": [
            [
                "cppl_cp_plan_id",
                "cppl_person_id",
                "cppl_cp_plan_start_date",
                "cppl_cp_plan_end_date",
            ],
            ["Q1", "C1", "2024-08-01 00:00:00.000", "2024-09-01 00:00:00.000"],
        ],
    }
    tables["ssd_cin_episodes"] = [
        ["cine_person_id", "cine_referral_date", "cine_referral_nfa", "cine_referral_id"]
    ]
    tables["ssd_linked_identifiers"].append(["C1", "NHS Number", "4011111111"])
    tables["ssd_linked_identifiers"][0].insert(0, "link_table_id")
    tables["ssd_linked_identifiers"][1].insert(0, "L1")
    ssd_zip(tmp_path / "inbox" / "ssd" / "2024-09.zip", tables)
    reports = {r.feed: r for r in load(tmp_path / "inbox", tmp_path / "w.duckdb")}
    csc = reports["csc"]
    assert (csc.rows_in, csc.rows_staged, csc.rows_quarantined) == (4, 2, 2), csc.line()
    assert reports["referrals"].rows_in == 0 and not reports["referrals"].error
    warehouse = tmp_path / "w.duckdb"
    assert query(
        warehouse,
        "select plan_type, start_date, end_date, nhs_number, sex from stg_csc order by start_date",
    ) == [
        ("cin", date(2024, 5, 1), None, "4011111111", "F"),
        ("cp", date(2024, 8, 1), date(2024, 9, 1), "4011111111", "F"),
    ]
    lines = query(
        warehouse,
        "select o.source_table, o.source_line, q.column_name, q.reason from quarantine_row q"
        " join load_source_row o using (batch_id, row_number) where q.feed = 'csc'"
        " order by o.source_line, q.column_name",
    )
    assert lines == [
        ("ssd_cin_plans", 3, "dob", "missing required value"),
        ("ssd_cin_plans", 3, "forename", "missing required value"),
        ("ssd_cin_plans", 3, "surname", "missing required value"),
        ("ssd_cin_plans", 4, "(whole row)", "expected 4 fields, found 3"),
    ]


def test_a_missing_sheet_refuses_only_the_feeds_that_read_it(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "Cases"
    book.active.append(["Case Reference", "Family Reference", "Date Opened"])
    book.active.append(["EH1", "F1", "01/02/2025"])
    for title in ("Members", "Needs"):
        book.create_sheet(title).append(["Case Reference"])
    path = tmp_path / "inbox" / "early_help_system" / "2025-02.xlsx"
    path.parent.mkdir(parents=True)
    book.save(path)
    reports = {r.feed: r for r in load(tmp_path / "inbox", tmp_path / "w.duckdb")}
    assert reports["eh_cases"].rows_staged == 1
    assert reports["eh_outcomes"].error == (
        f"{path}: no sheet 'Outcomes' (found: Cases, Members, Needs)"
    )
    assert reports["eh_members"].error.startswith(f"{path}: missing column(s) for feed eh_members")


def test_a_definition_broken_after_start_refuses_only_source_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A scheduled run whose council definition was edited into a mistake still loads the
    SPEC folders and refuses each partner file with the mistake, losing nothing."""
    council = council_police(tmp_path / "council", ("ASB: asb", "ASB: antisocial"))
    monkeypatch.setenv("SFP_SOURCES", str(council))
    write_csv(
        tmp_path / "inbox" / "neet" / "2025-01.csv",
        ["source_person_id", "forename", "surname", "dob", "month", "status"],
        [["Y1", "Ann", "Ash", "2008-01-01", "2025-01", "neet"]],
    )
    police = police_file(
        tmp_path / "inbox" / "police_records" / "2025-01.csv",
        "I1|02/01/2025 10:15|N1|Ames|Al|17/01/1990|Male|MK1 1AA|1 Road|OFF|N",
    )
    reports = {r.feed: r for r in load(tmp_path / "inbox", tmp_path / "w.duckdb")}
    assert reports["neet"].rows_staged == 1
    assert reports["police_records"].error.startswith(
        f"{police}: source definitions cannot be used ({council / 'police_records.yaml'}:"
    )
    assert "maps onto 'antisocial'" in reports["police_records"].error

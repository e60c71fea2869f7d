"""Write the bad-input corpus: one folder per kind of bad input, with what must happen.

Each case folder holds `inbox/<feed>/<file>` (good rows around the bad one, so a test can
see that nothing good was lost) and `expected.json`, written here by hand from the
contract (never from the pipeline's output):

- `quarantine`: every quarantine line, `[file, row, column, reason]`, in load order;
- `errors`: the one-line error for each refused file (`{path}` stands for its path);
- `staged`: per feed, the key of every row that must reach `stg_<feed>`;
- `skipped` (optional): the reason for each inbox entry listed as skipped;
- `read_as` (optional): how each loaded file must have been read (character set, sheet).

Run `python tests/data_contracts/corpus/build.py` after changing a case; the files are
committed so a council can open them.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pandas as pd

HERE = Path(__file__).parent

PERSON = {
    "source_person_id": "",
    "forename": "Amy",
    "surname": "Stone",
    "dob": "1990-02-03",
    "sex": "F",
    "postcode": "MK1 1AA",
}
POLICE_EVENTS = (
    "offence, arrest, named_suspect, asb, missing_episode, da_victim, da_perpetrator, "
    "da_child_present, cse_concern, cce_concern"
)
FUTURE = "date after the batch's load date"
UNKNOWN_ENCODING = "unknown text encoding (expected UTF-8, Windows-1252 or Mac Roman)"
BAD_BYTES = "text not valid in the file's character set (see the batch's read_as)"
PLACEHOLDER = "a placeholder, not a value (expected letters or digits)"


def police(key: str, **changes: str) -> dict[str, str]:
    row = {
        **PERSON,
        "source_person_id": key,
        "incident_id": f"I-{key}",
        "event_date": "2024-05-01",
        "event_type": "arrest",
        "severe_offence": "false",
    }
    return {**row, **changes}


def attendance(key: str, **changes: str) -> dict[str, str]:
    row = {
        **PERSON,
        "source_person_id": key,
        "dob": "2014-01-01",
        "upn": f"U{key}",
        "school_urn": "100001",
        "academic_year": "2023/24",
        "term": "autumn",
        "sessions_possible": "140",
        "sessions_authorised_absence": "4",
        "sessions_unauthorised_absence": "2",
    }
    return {**row, **changes}


def exclusions(key: str, **changes: str) -> dict[str, str]:
    row = {
        **PERSON,
        "source_person_id": key,
        "dob": "2012-06-01",
        "upn": f"U{key}",
        "school_urn": "100001",
        "start_date": "2024-03-04",
        "category": "suspension",
        "days_lost": "2.5",
    }
    return {**row, **changes}


def housing(key: str, **changes: str) -> dict[str, str]:
    row = {
        **PERSON,
        "source_person_id": key,
        "household_ref": "H1",
        "event_date": "2024-04-02",
        "event_type": "rent_arrears",
        "amount": "350.00",
    }
    return {**row, **changes}


def dwp(key: str, **changes: str) -> dict[str, str]:
    row = {
        **PERSON,
        "source_person_id": key,
        "nino": f"QQ{key}",
        "month": "2024-05",
        "benefit": "universal_credit",
        "work_status": "out_of_work",
    }
    return {**row, **changes}


def neet(key: str, **changes: str) -> dict[str, str]:
    row = {**PERSON, "source_person_id": key, "dob": "2007-09-09", "month": "2024-05"}
    return {**row, "status": "neet", **changes}


def csc(key: str, **changes: str) -> dict[str, str]:
    row = {
        **PERSON,
        "source_person_id": key,
        "dob": "2016-01-01",
        "plan_type": "cp",
        "start_date": "2024-01-10",
        "end_date": "2024-06-30",
    }
    return {**row, **changes}


def referrals(key: str, **changes: str) -> dict[str, str]:
    row = {
        **PERSON,
        "source_person_id": key,
        "referral_date": "2024-02-01",
        "service": "early_help",
        "accepted": "yes",
    }
    return {**row, **changes}


def eh_cases(key: str, **changes: str) -> dict[str, str]:
    row = {
        "case_id": key,
        "family_ref": f"FAM-{key}",
        "lead_practitioner": "LP1",
        "opened_date": "2023-09-01",
        "whole_family_assessment_date": "2023-09-20",
        "action_plan_date": "2023-10-01",
        "closed_date": "2024-03-31",
    }
    return {**row, **changes}


def eh_members(key: str, **changes: str) -> dict[str, str]:
    return {**PERSON, "source_person_id": key, "case_id": "C1", "role": "parent_carer", **changes}


def eh_needs(key: str, **changes: str) -> dict[str, str]:
    row = {
        "case_id": key,
        "source_person_id": "",
        "criterion": "REL1",
        "identified_date": "2023-09-20",
        "basis": "practitioner",
    }
    return {**row, **changes}


def csv_bytes(rows: list[dict[str, str]], encoding: str = "utf-8") -> bytes:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: list[dict[str, str]]) -> bytes:
    out = io.BytesIO()
    with pd.ExcelWriter(out, engine="openpyxl") as writer:
        pd.DataFrame(rows).to_excel(writer, sheet_name="Extract", index=False)
    return out.getvalue()


def _extra_fields_on_row_3() -> bytes:
    lines = csv_bytes([neet("a"), neet("b"), neet("c")]).split(b"\r\n")
    lines[2] += b",x,y"
    return b"\r\n".join(lines)


def row_case(
    name: str, feed: str, rows: list[dict[str, str]], quarantine: list[list[object]], key: str
) -> dict[str, object]:
    """A case with one CSV file; every row not named in `quarantine` must be staged."""
    bad_rows = {line[0] for line in quarantine}
    good = [row[key] for number, row in enumerate(rows, start=2) if number not in bad_rows]
    return {
        "name": name,
        "files": {f"{feed}/2024-05.csv": csv_bytes(rows)},
        "quarantine": [[f"{feed}/2024-05.csv", *line] for line in quarantine],
        "errors": {},
        "staged": {feed: {"key": key, "values": sorted(good)}},
    }


def file_case(name: str, path: str, data: bytes, error: str) -> dict[str, object]:
    """A refused file beside a good one that must still load."""
    return {
        "name": name,
        "files": {path: data, "police/good.csv": csv_bytes([police("good1"), police("good2")])},
        "quarantine": [],
        "errors": {path: error},
        "staged": {"police": {"key": "source_person_id", "values": ["good1", "good2"]}},
    }


def cases() -> list[dict[str, object]]:
    sid = "source_person_id"
    dated = "expected a date as YYYY-MM-DD or DD/MM/YYYY"
    return [
        row_case(
            "01_impossible_iso_date",
            "police",
            [police("a"), police("b", event_date="2024-13-45"), police("c")],
            [[3, "event_date", dated]],
            sid,
        ),
        row_case(
            "02_impossible_uk_date",
            "police",
            [police("a", event_date="01/05/2024"), police("b", event_date="31/02/2024")],
            [[3, "event_date", dated]],
            sid,
        ),
        row_case(
            "03_date_in_words",
            "police",
            [police("a"), police("b", event_date="May 2024")],
            [[3, "event_date", dated]],
            sid,
        ),
        row_case(
            "04_event_in_the_future",
            "police",
            [police("a"), police("b", event_date="2999-01-01")],
            [[3, "event_date", FUTURE]],
            sid,
        ),
        row_case(
            "05_dob_in_the_future",
            "neet",
            [neet("a"), neet("b", dob="2999-12-31")],
            [[3, "dob", FUTURE], [3, "dob", "date of birth after month"]],
            sid,
        ),
        row_case(
            "06_dob_after_event",
            "police",
            [police("a"), police("b", dob="2024-06-01")],
            [[3, "dob", "date of birth after event_date"]],
            sid,
        ),
        row_case(
            "07_unknown_event_type",
            "police",
            [police("a", event_type="ASB"), police("b", event_type="burglary")],
            [[3, "event_type", f"expected one of: {POLICE_EVENTS}"]],
            sid,
        ),
        row_case(
            "08_missing_person_key",
            "police",
            [police("a"), police(""), police("c")],
            [[3, "source_person_id", "missing required value"]],
            "incident_id",
        ),
        row_case(
            "09_blank_as_spaces",
            "police",
            [police("a"), police("b", incident_id="   ")],
            [[3, "incident_id", "missing required value"]],
            sid,
        ),
        row_case(
            "10_zero_sessions_possible",
            "attendance",
            [
                attendance("a"),
                attendance(
                    "b",
                    sessions_possible="0",
                    sessions_authorised_absence="0",
                    sessions_unauthorised_absence="0",
                ),
            ],
            [[3, "sessions_possible", "expected a whole number > 0"]],
            sid,
        ),
        row_case(
            "11_negative_absence",
            "attendance",
            [attendance("a"), attendance("b", sessions_authorised_absence="-3")],
            [[3, "sessions_authorised_absence", "expected a whole number >= 0"]],
            sid,
        ),
        row_case(
            "12_fraction_of_a_session",
            "attendance",
            [attendance("a"), attendance("b", sessions_unauthorised_absence="2.5")],
            [[3, "sessions_unauthorised_absence", "expected a whole number >= 0"]],
            sid,
        ),
        row_case(
            "13_sessions_in_words",
            "attendance",
            [attendance("a", sessions_possible="1,400"), attendance("b", sessions_possible="ten")],
            [[3, "sessions_possible", "expected a whole number > 0"]],
            sid,
        ),
        row_case(
            "14_absence_exceeds_possible",
            "attendance",
            [attendance("a"), attendance("b", sessions_authorised_absence="139")],
            [
                [
                    3,
                    "sessions_unauthorised_absence",
                    "authorised + unauthorised absence exceeds sessions_possible",
                ]
            ],
            sid,
        ),
        row_case(
            "15_academic_year_not_consecutive",
            "attendance",
            [attendance("a"), attendance("b", academic_year="2023/25")],
            [[3, "academic_year", "expected an academic year such as 2024/25"]],
            sid,
        ),
        row_case(
            "16_academic_year_with_dash",
            "attendance",
            [attendance("a"), attendance("b", academic_year="2023-24")],
            [[3, "academic_year", "expected an academic year such as 2024/25"]],
            sid,
        ),
        row_case(
            "17_unknown_term",
            "attendance",
            [attendance("a", term="Spring"), attendance("b", term="winter")],
            [[3, "term", "expected one of: autumn, spring, summer"]],
            sid,
        ),
        row_case(
            "18_attendance_twice_for_a_term",
            "attendance",
            [attendance("a"), attendance("b"), attendance("c", upn="Ua")],
            [[4, "term", "same upn, school_urn, academic_year, term as row 2"]],
            sid,
        ),
        row_case(
            "19_case_id_twice",
            "eh_cases",
            [eh_cases("C1"), eh_cases("C2"), {**eh_cases("C1"), "family_ref": "FAM-x"}],
            [[4, "case_id", "same case_id as row 2"]],
            "family_ref",
        ),
        row_case(
            "20_case_closed_before_opened",
            "eh_cases",
            [eh_cases("C1"), eh_cases("C2", closed_date="2023-08-31")],
            [[3, "closed_date", "closed_date before opened_date"]],
            "case_id",
        ),
        row_case(
            "21_plan_ends_before_it_starts",
            "csc",
            [csc("a", end_date=""), csc("b", end_date="2023-12-31")],
            [[3, "end_date", "end_date before start_date"]],
            sid,
        ),
        row_case(
            "22_bool_not_understood",
            "police",
            [police("a", severe_offence=""), police("b", severe_offence="maybe")],
            [[3, "severe_offence", "expected true or false"]],
            sid,
        ),
        row_case(
            "23_required_bool_blank",
            "referrals",
            [referrals("a", accepted="N"), referrals("b", accepted="")],
            [[3, "accepted", "missing required value"]],
            sid,
        ),
        row_case(
            "24_month_out_of_range",
            "dwp",
            [dwp("a", month="05/2024"), dwp("b", month="2024-13")],
            [[3, "month", "expected a month as YYYY-MM"]],
            sid,
        ),
        row_case(
            "25_benefit_month_twice",
            "dwp",
            [dwp("a"), dwp("b", nino="QQa", work_status="in_work")],
            [[3, "month", "same nino, month as row 2"]],
            sid,
        ),
        row_case(
            "26_negative_amount",
            "housing",
            [housing("a", amount=""), housing("b", amount="-5")],
            [[3, "amount", "expected a number >= 0"]],
            sid,
        ),
        row_case(
            "27_days_lost_in_words",
            "exclusions",
            [exclusions("a"), exclusions("b", days_lost="two")],
            [[3, "days_lost", "expected a number >= 0"]],
            sid,
        ),
        row_case(
            "28_unknown_criterion",
            "eh_needs",
            [eh_needs("C1"), eh_needs("C2", criterion="XYZ9")],
            [
                [
                    3,
                    "criterion",
                    "expected one of: EDU1, EDU2, EDU3, EDU4, EYD1, EYD2, EYD3, MPH1, MPH2, "
                    "MPH3, SUB1, SUB2, REL1, REL2, REL3, REL4, SAF1, SAF2, SAF3, SAF4, SAF5, "
                    "SAF6, CRI1, CRI2, CRI3, DA1, DA2, DA3, HOU1, HOU2, HOU3, FIN1, FIN2, FIN3",
                ]
            ],
            "case_id",
        ),
        row_case(
            "29_unknown_sex_code",
            "eh_members",
            [eh_members("a", sex="m"), eh_members("b", sex="X")],
            [[3, "sex", "expected one of: M, F, U"]],
            sid,
        ),
        row_case(
            "30_person_twice_on_a_case",
            "eh_members",
            [
                eh_members("a", forename="Ann"),
                eh_members("b", forename="Bea"),
                eh_members("a", forename="Ann2", role="other_adult"),
            ],
            [[4, "source_person_id", "same case_id, source_person_id as row 2"]],
            "forename",
        ),
        row_case(
            "31_several_faults_in_one_row",
            "police",
            [
                police("a"),
                police("b", dob="31/31/1990", event_date="", event_type="theft"),
            ],
            [
                [3, "dob", dated],
                [3, "event_date", "missing required value"],
                [3, "event_type", f"expected one of: {POLICE_EVENTS}"],
            ],
            sid,
        ),
        {
            **row_case(
                "32_row_with_extra_fields",
                "neet",
                [neet("a"), neet("b"), neet("c")],
                [[3, "(whole row)", "expected 8 fields, found 10"]],
                sid,
            ),
            "files": {"neet/2024-05.csv": _extra_fields_on_row_3()},
        },
        file_case(
            "33_empty_file",
            "police/2024-06.csv",
            b"",
            "{path}: empty file (expected a header row and data rows)",
        ),
        file_case(
            "34_not_csv_or_xlsx",
            "police/2024-06.pdf",
            b"%PDF-1.4",
            "{path}: not a CSV or XLSX file (expected .csv or .xlsx)",
        ),
        file_case(
            "35_unknown_encoding",
            "police/2024-06.csv",
            # Cyrillic names in KOI8-R: no reading as UTF-8, Windows-1252 or Mac Roman is
            # plausible text (as Mac Roman, \x81\x8d\x8f would be a fine "Åçè").
            csv_bytes([police("z", forename="Пётр", surname="Сергеевич")], "koi8-r"),
            "{path}: " + UNKNOWN_ENCODING,
        ),
        file_case(
            "36_utf16_text",
            "police/2024-06.csv",
            csv_bytes([police("z")], encoding="utf-16"),
            "{path}: " + UNKNOWN_ENCODING,
        ),
        file_case(
            "37_missing_required_column",
            "police/2024-06.csv",
            csv_bytes([{k: v for k, v in police("z").items() if k != "event_date"}]),
            "{path}: missing required column(s) event_date for feed 'police' (expected "
            "source_person_id, forename, surname, dob, incident_id, event_date, event_type)",
        ),
        file_case(
            "38_column_twice",
            "police/2024-06.csv",
            csv_bytes([police("z")]).replace(b"severe_offence", b"EVENT_DATE", 1),
            "{path}: column(s) event_date appear twice",
        ),
        file_case(
            "39_corrupt_workbook",
            "police/2024-06.xlsx",
            b"this is not a workbook",
            "{path}: unreadable XLSX workbook (File is not a zip file)",
        ),
        file_case(
            "40_unknown_feed_folder",
            "weather/2024-06.csv",
            csv_bytes([{"day": "2024-06-01", "rain_mm": "3"}]),
            "{path}: unknown feed folder 'weather' (expected one of: attendance, exclusions, "
            "police, housing, dwp, neet, csc, referrals, eh_cases, eh_members, eh_needs, "
            "eh_outcomes)",
        ),
        file_case(
            "41_unterminated_quote",
            "police/2024-06.csv",
            b'source_person_id,forename\r\n"x,Amy\r\n',
            "{path}: unreadable CSV (unexpected end of data at line 2)",
        ),
        file_case(
            "42_header_only_blank_names",
            "police/2024-06.csv",
            b",,,\r\n1,2,3,4\r\n",
            "{path}: no column names in row 1 (expected a header row)",
        ),
        {
            **row_case(
                "43_workbook_with_bad_row",
                "police",
                [police("a"), police("b", event_type="")],
                [[3, "event_type", "missing required value"]],
                sid,
            ),
            "files": {"police/2024-05.xlsx": xlsx_bytes([police("a"), police("b", event_type="")])},
            "quarantine": [["police/2024-05.xlsx", 3, "event_type", "missing required value"]],
        },
        *hostile_cases(),
    ]


def hostile_cases() -> list[dict[str, object]]:
    """Inputs a council meets in its first month (issue 13): each with its exact outcome."""
    sid = "source_person_id"
    whole = "expected a whole number > 0"
    return [
        row_case(
            "44_number_too_large_for_its_column",
            "attendance",
            [
                attendance("a", sessions_possible="2,147,483,647"),
                attendance("b", sessions_possible="3,000,000,000"),
                attendance("c", sessions_unauthorised_absence="99999999999999999999"),
            ],
            [
                [3, "sessions_possible", f"{whole} and at most 2147483647"],
                [
                    4,
                    "sessions_unauthorised_absence",
                    "expected a whole number >= 0 and at most 2147483647",
                ],
            ],
            sid,
        ),
        row_case(
            "45_infinite_and_exponent_numbers",
            "housing",
            [
                housing("a", amount="1,250.50"),
                housing("b", amount="inf"),
                housing("c", amount="Infinity"),
                housing("d", amount="1e308"),
                housing("e", amount="NaN"),
                housing("f", amount="9" * 400),
                housing("g", amount=".5"),
            ],
            [[n, "amount", "expected a number >= 0"] for n in (3, 4, 5, 6, 7)],
            sid,
        ),
        row_case(
            "46_thousands_separators_out_of_place",
            "attendance",
            [
                attendance("a", sessions_possible="1,400"),
                attendance("b", sessions_possible="1,4,0"),
                attendance("c", sessions_possible="14,0"),
                attendance("d", sessions_possible="1400,"),
            ],
            [[n, "sessions_possible", whole] for n in (3, 4, 5)],
            sid,
        ),
        row_case(
            "47_implausible_dates_of_birth",
            "police",
            [
                police("a", dob="1950-06-01"),
                police("b", dob="0013-05-01"),
                police("c", dob="1753-01-01"),
                police("d", dob="01/01/1900"),
                police("e", dob="1901-01-01"),
            ],
            [[n, "dob", "expected a date on or after 1901-01-01"] for n in (3, 4, 5)],
            sid,
        ),
        {
            **row_case(
                "48_implausible_event_dates_and_months",
                "police",
                [police("a"), police("b", event_date="1970-01-01")],
                [[3, "event_date", "expected a date on or after 1990-01-01"]],
                sid,
            ),
            "files": {
                "police/2024-05.csv": csv_bytes(
                    [police("a"), police("b", event_date="1970-01-01")]
                ),
                "dwp/2024-05.csv": csv_bytes([dwp("a"), dwp("b", month="1753-01")]),
            },
            "quarantine": [
                ["dwp/2024-05.csv", 3, "month", "expected a month on or after 1990-01-01"],
                ["police/2024-05.csv", 3, "event_date", "expected a date on or after 1990-01-01"],
            ],
            "staged": {
                "police": {"key": sid, "values": ["a"]},
                "dwp": {"key": sid, "values": ["a"]},
            },
        },
        row_case(
            "49_placeholder_names",
            "police",
            [
                police("a", surname="O'Neill"),
                police("b", forename="\u200b"),
                police("c", surname="-"),
                police("d", forename="."),
                police("e", surname="NULL"),
                police("f", forename="\u00a0\u200b\ufeff", surname="#N/A"),
                police("g", forename="\u200bAmy\u200b"),
            ],
            [
                [3, "forename", "missing required value"],
                [4, "surname", PLACEHOLDER],
                [5, "forename", PLACEHOLDER],
                [6, "surname", PLACEHOLDER],
                [7, "forename", "missing required value"],
                [7, "surname", PLACEHOLDER],
            ],
            sid,
        ),
        file_case(
            "50_month_first_dates",
            "police/2024-06.csv",
            csv_bytes(
                [
                    police("x", event_date="04/02/2024", dob="02/03/1990"),
                    police("y", event_date="05/31/2024", dob="07/04/1990"),
                ]
            ),
            "{path}: dates in column event_date are month-first (row 3 reads only as"
            " MM/DD/YYYY), so day and month would be swapped (expected YYYY-MM-DD or"
            " DD/MM/YYYY: re-export the file)",
        ),
        {
            "name": "51_utf8_file_with_one_windows_1252_row",
            "files": {
                "police/2024-05.csv": csv_bytes(
                    [police("a", forename="Zoë"), police("b", forename="Chloë")]
                )
                + csv_bytes([police("c", forename="Renée")], "cp1252").split(b"\r\n", 1)[1]
                + csv_bytes([police("d", forename="Siân")]).split(b"\r\n", 1)[1]
            },
            "quarantine": [["police/2024-05.csv", 4, "forename", BAD_BYTES]],
            "errors": {},
            "staged": {"police": {"key": "forename", "values": ["Chloë", "Siân", "Zoë"]}},
            "read_as": {
                "police/2024-05.csv": "CSV, UTF-8 (3 non-ASCII characters valid as UTF-8, 1 bytes"
                " not: their rows quarantined)"
            },
        },
        {
            "name": "52_mac_roman_file",
            "files": {
                "police/2024-05.csv": csv_bytes(
                    [
                        police("a", forename="Zoë", surname="Müller"),
                        police("b", forename="José", surname="O’Neill"),
                        police("c", forename="Amy", surname="Stone"),
                    ],
                    "mac_roman",
                ),
                "police/2024-06.csv": csv_bytes(
                    [police("d", forename="Noël", surname="O’Connor")], "cp1252"
                ),
            },
            "quarantine": [],
            "errors": {},
            "staged": {
                "police": {"key": "surname", "values": ["Müller", "O’Connor", "O’Neill", "Stone"]}
            },
            "read_as": {
                "police/2024-05.csv": "CSV, Mac Roman (4 of 4 non-ASCII characters plausible"
                " (as Windows-1252: 0))",
                "police/2024-06.csv": "CSV, Windows-1252 (2 of 2 non-ASCII characters plausible"
                " (as Mac Roman: 0))",
            },
        },
        {
            **row_case("53_nul_byte_in_one_field", "police", [police("a"), police("b")], [], sid),
            "files": {
                "police/2024-05.csv": csv_bytes(
                    [police("a"), police("b", forename="Am\x00y"), police("c")]
                )
            },
            "quarantine": [
                [
                    "police/2024-05.csv",
                    3,
                    "forename",
                    "contains a NUL character (binary data, not text)",
                ]
            ],
            "staged": {"police": {"key": sid, "values": ["a", "c"]}},
        },
        row_case(
            "54_field_longer_than_any_real_one",
            "police",
            [
                police("a", address="1 High Street"),
                police("b", address="x" * 131_073),
                police("c", address="y" * 131_072),
            ],
            [[3, "address", "value longer than 131072 characters"]],
            sid,
        ),
        {
            **row_case("55_trailing_empty_header_columns", "police", [police("a")], [], sid),
            "files": {"police/2024-05.csv": _trailing_commas()},
            "staged": {"police": {"key": sid, "values": ["a", "b", "c"]}},
        },
        {
            **row_case("56_workbook_blank_header_cells", "police", [police("a")], [], sid),
            "files": {"police/2024-05.xlsx": _workbook_with_blank_header_cells()},
            "staged": {"police": {"key": sid, "values": ["a", "b"]}},
            "read_as": {"police/2024-05.xlsx": "XLSX, sheet 'Extract' (the first visible sheet)"},
        },
        {
            **row_case("57_first_sheet_hidden", "police", [police("a")], [], sid),
            "files": {"police/2024-05.xlsx": _workbook_with_hidden_first_sheet()},
            "staged": {"police": {"key": sid, "values": ["a", "b"]}},
            "read_as": {
                "police/2024-05.xlsx": "XLSX, sheet 'Extract' (the first visible sheet; 1"
                " hidden sheet before it skipped)"
            },
        },
        {
            "name": "58_same_rows_under_another_file_name",
            "files": {
                "housing/2024-04.csv": csv_bytes([housing("a"), housing("b")]),
                "housing/2024-04b.csv": csv_bytes([housing("b"), housing("c"), housing("a")]),
            },
            "quarantine": [
                ["housing/2024-04b.csv", 2, "(whole row)", "same as 2024-04.csv row 3"],
                ["housing/2024-04b.csv", 4, "(whole row)", "same as 2024-04.csv row 2"],
            ],
            "errors": {},
            "staged": {"housing": {"key": sid, "values": ["a", "b", "c"]}},
        },
        {
            "name": "59_keyed_row_already_staged_from_another_file",
            "files": {
                "attendance/2023-24-autumn.csv": csv_bytes([attendance("a"), attendance("b")]),
                "attendance/2023-24-autumn_resent.csv": csv_bytes(
                    [attendance("b", sessions_possible="150"), attendance("c")]
                ),
            },
            "quarantine": [
                [
                    "attendance/2023-24-autumn_resent.csv",
                    2,
                    "term",
                    "same as 2023-24-autumn.csv row 3 (upn, school_urn, academic_year, term)",
                ]
            ],
            "errors": {},
            "staged": {"attendance": {"key": "sessions_possible", "values": ["140", "140", "140"]}},
        },
        {
            "name": "60_case_updated_in_a_later_extract",
            "files": {
                "eh_cases/2023-09.csv": csv_bytes(
                    [eh_cases("C1", closed_date=""), eh_cases("C2", closed_date="")]
                ),
                "eh_cases/2024-03.csv": csv_bytes([eh_cases("C1"), eh_cases("C2", closed_date="")]),
            },
            "quarantine": [["eh_cases/2024-03.csv", 3, "(whole row)", "same as 2023-09.csv row 3"]],
            "errors": {},
            "staged": {"eh_cases": {"key": "case_id", "values": ["C1", "C1", "C2"]}},
        },
        {
            "name": "61_identical_rows_paired_one_for_one",
            "files": {
                "referrals/2024-02.csv": csv_bytes([referrals("a"), referrals("a")]),
                "referrals/2024-02-copy.csv": csv_bytes(
                    [referrals("a"), referrals("b"), referrals("a"), referrals("a")]
                ),
            },
            "quarantine": [
                ["referrals/2024-02.csv", 2, "(whole row)", "same as 2024-02-copy.csv row 2"],
                ["referrals/2024-02.csv", 3, "(whole row)", "same as 2024-02-copy.csv row 4"],
            ],
            "errors": {},
            "staged": {"referrals": {"key": sid, "values": ["a", "a", "a", "b"]}},
        },
        file_case(
            "63_semicolon_separated",
            "police/2024-06.csv",
            _semicolons(),
            "{path}: fields separated by semicolons, not ',' (expected a comma-separated file:"
            " save it again as CSV with commas)",
        ),
        {
            "name": "62_files_where_no_feed_is",
            "files": {
                "police.csv": csv_bytes([police("z")]),
                "police/2024-05.csv": csv_bytes([police("a")]),
                "police/archive/2024-01.csv": csv_bytes([police("y")]),
                "police/archive/old/2023-12.csv": csv_bytes([police("x")]),
                "police/.DS_Store": b"\x00\x00\x00\x01Bud1",
                "police/~$2024-05.xlsx": b"owner",
                "police/Thumbs.db": b"thumbs",
                ".hidden/2024-05.csv": csv_bytes([police("w")]),
            },
            "quarantine": [],
            "errors": {
                "police.csv": "{path}: not in a feed folder (expected INBOX/<feed>/<file>: move"
                " it into its feed's folder)"
            },
            "skipped": {
                ".hidden": "a hidden file or folder",
                "police/.DS_Store": "a hidden file or folder",
                "police/Thumbs.db": "a system file",
                "police/archive/2024-01.csv": SUBFOLDER,
                "police/archive/old/2023-12.csv": SUBFOLDER,
                "police/~$2024-05.xlsx": "an Office owner file (the workbook is open)",
            },
            "staged": {"police": {"key": sid, "values": ["a"]}},
        },
    ]


def _semicolons() -> bytes:
    return csv_bytes([police("a")]).replace(b",", b";")


SUBFOLDER = (
    "in a subfolder of feed folder 'police' (only INBOX/<feed>/<file> is loaded: move it up"
    " to load it)"
)


def _trailing_commas() -> bytes:
    """Excel's CSV of a sheet with formatted blank columns: `,,` after the header and rows."""
    lines = csv_bytes([police("a"), police("b"), police("c")]).split(b"\r\n")
    lines[0] += b",,"
    lines[1] += b",,"
    lines[2] += b","
    return b"\r\n".join(lines)


def _workbook_with_blank_header_cells() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Extract"
    rows = [police("a"), police("b")]
    sheet.append([*rows[0], " ", " "])
    for row in rows:
        sheet.append([*row.values(), None, " "])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _workbook_with_hidden_first_sheet() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    lookup = book.active
    lookup.title = "Codes"
    lookup.append(["event_type", "meaning"])
    lookup.append(["asb", "anti-social behaviour"])
    lookup.sheet_state = "hidden"
    sheet = book.create_sheet("Extract")
    rows = [police("a"), police("b")]
    sheet.append(list(rows[0]))
    for row in rows:
        sheet.append(list(row.values()))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def main() -> None:
    for case in cases():
        folder = HERE / str(case["name"])
        if folder.exists():
            shutil.rmtree(folder)
        for relative, data in dict(case["files"]).items():  # type: ignore[call-overload]
            path = folder / "inbox" / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        expected = {k: case[k] for k in ("quarantine", "errors", "staged")}
        expected.update({k: case[k] for k in ("skipped", "read_as") if k in case})
        (folder / "expected.json").write_text(json.dumps(expected, indent=2) + "\n")


if __name__ == "__main__":
    main()

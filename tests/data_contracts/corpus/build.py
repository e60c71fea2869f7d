"""Write the bad-input corpus: one folder per kind of bad input, with what must happen.

Each case folder holds `inbox/<feed>/<file>` (good rows around the bad one, so a test can
see that nothing good was lost) and `expected.json`, written here by hand from the
contract (never from the pipeline's output):

- `quarantine`: every quarantine line, `[file, row, column, reason]`, in load order;
- `errors`: the one-line error for each refused file (`{path}` stands for its path);
- `staged`: per feed, the key of every row that must reach `stg_<feed>`.

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
            b"source_person_id,forename\r\nx,\x81\x8d\x8f\r\n",
            "{path}: unknown text encoding (expected UTF-8 or Windows-1252)",
        ),
        file_case(
            "36_utf16_text",
            "police/2024-06.csv",
            csv_bytes([police("z")], encoding="utf-16"),
            "{path}: unknown text encoding (expected UTF-8 or Windows-1252)",
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
    ]


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
        (folder / "expected.json").write_text(json.dumps(expected, indent=2) + "\n")


if __name__ == "__main__":
    main()

"""Historic claims imported from a CSV, a re-run reproducing the submitted bytes, and
hostile source text staying text in the workbook."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from claims.historic import HISTORIC_COLUMNS, HistoricClaimsError, import_historic_claims
from claims.ledger import LedgerError
from claims.rerun import rerun_period
from claims.submission import run_claim
from data_contracts.warehouse import connect
from indicators.plan import load_plan
from tests.claims.conftest import CHILD, PARENT, Case, Person, build_council, decide, resend
from tests.conftest import write_csv

THRESHOLD = load_plan().matching["link_threshold"]


def member_row(ref: str, day: str, role: str, person: Person) -> list[str]:
    return [ref, day, role, "OLD" + person.key, person.forename, person.surname, person.dob,
            "", person.postcode, person.upn, "", ""]  # fmt: skip


def import_file(warehouse: Path, path: Path):
    with connect(warehouse) as con:
        return import_historic_claims(con, path, THRESHOLD)


@pytest.mark.rule("gate7-two-years")
def test_historic_claims_block_a_claim_within_two_years(tmp_path: Path) -> None:
    warehouse = build_council(tmp_path, [Case()])
    stranger = Person("X1", "Zara", "Quinn", "1979-12-30", postcode="LS1 4AP")
    path = write_csv(
        tmp_path / "historic_claims.csv",
        list(HISTORIC_COLUMNS),
        [
            member_row("OLD-17", "01/12/2024", "parent_carer", PARENT),
            member_row("OLD-17", "01/12/2024", "child", CHILD),
            member_row("OLD-18", "2023-01-10", "parent_carer", stranger),
        ],
    )
    result = import_file(warehouse, path)
    assert (result.claims, result.members, result.members_linked) == (2, 3, 2)
    decision = decide(warehouse).loc["EH1"]
    assert decision["failed_gates"] == "7"
    assert "already claimed on 2024-12-01 (claim OLD-17)" in decision["reasons"]
    with pytest.raises(HistoricClaimsError, match="already imported"):
        import_file(warehouse, path)


@pytest.mark.rule("gate7-former-child-now-parent")
def test_a_former_child_now_a_parent_may_be_claimed_again(tmp_path: Path) -> None:
    grown = Person("Y1", "Mia", "Hart", "2004-04-04", postcode="MK3 7QQ")
    mother = Person("Y2", "Jo", "Hart", "1980-08-08", postcode="MK3 7QQ")
    baby = Person("Y3", "Leo", "Hart", "2024-09-01", postcode="MK3 7QQ")
    case = Case(members=[(grown, "parent_carer"), (baby, "child")],
                needs=[("MPH2", "Y1", "2023-10-20", "2024-11-30"),
                       ("REL1", "", "2023-10-20", "2024-11-30"),
                       ("FIN2", "", "2023-10-20", "2024-11-30")])  # fmt: skip
    warehouse = build_council(tmp_path, [case])
    path = write_csv(
        tmp_path / "historic_claims.csv",
        list(HISTORIC_COLUMNS),
        [
            # claimed the day before this case opened: a change counts only after the
            # family's last claim (issue 23 item 1)
            member_row("OLD-1", "2023-10-01", "parent_carer", mother),
            member_row("OLD-1", "2023-10-01", "child", grown),
        ],
    )
    assert import_file(warehouse, path).members_linked == 1
    decision = decide(warehouse).loc["EH1"]
    assert bool(decision["claimed"]), decision["reasons"]
    assert decision["reclaim"] == "yes"
    assert "is now a parent" in decision["reclaim_basis"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({2: "carer"}, "row 2, column role: expected one of parent_carer"),
        ({1: "31/02/2024"}, "row 2, column claim_date: expected a date"),
        ({6: "not a date"}, "row 2, column dob: expected a date"),
    ],
)
def test_a_mistake_in_the_historic_file_is_one_line(
    tmp_path: Path, change: dict[int, str], message: str
) -> None:
    row = member_row("OLD-1", "2024-06-30", "parent_carer", PARENT)
    for index, value in change.items():
        row[index] = value
    path = write_csv(tmp_path / "h.csv", list(HISTORIC_COLUMNS), [row])
    with pytest.raises(HistoricClaimsError, match=message) as caught:
        import_file(tmp_path / "w.duckdb", path)
    assert PARENT.dob not in str(caught.value) and "\n" not in str(caught.value)


def test_a_rerun_reproduces_the_submitted_bytes(tmp_path: Path) -> None:
    other = Case(
        case_id="EH2",
        family_ref="FAM2",
        closed="2025-06-30",  # not yet claimable on 2025-06-30
        members=[(replace(PARENT, key="P5", forename="Kim", surname="Lowe"), "parent_carer"),
                 (replace(CHILD, key="C5", forename="Ben", surname="Lowe",
                          upn="A000000000005"), "child")],
        needs=[("MPH2", "P5", "2023-10-20", "2024-11-30"),
               ("REL1", "", "2023-10-20", "2024-11-30"),
               ("FIN2", "", "2023-10-20", "2024-11-30")],
    )  # fmt: skip
    warehouse = build_council(tmp_path, [Case(), other])
    as_of = date(2025, 6, 30)
    with connect(warehouse) as con:
        submitted = run_claim(con, load_plan(), as_of, tmp_path / "q1.xlsx", submit=True)
    # A later extract re-sends both cases, changes a date that the as-of date can see and
    # adds a new person: a claim re-decided on today's data would differ.
    changed = replace(Case(), assessment="", lead="Another lead")
    newcomer = Person("N1", "Sam", "Reed", "1990-01-01", postcode="MK1 1AA")
    later = replace(other, members=[*other.members, (newcomer, "other_adult")])
    resend(warehouse, [changed, later], "later")
    with connect(warehouse) as con:
        today = run_claim(con, load_plan(), as_of, tmp_path / "today.xlsx")
    assert today.workbook_sha256 != submitted.workbook_sha256

    result = rerun_period(warehouse, as_of, out=tmp_path / "rerun.xlsx")
    assert result.identical, result.differences
    assert result.differences == []
    assert (tmp_path / "rerun.xlsx").read_bytes() == (tmp_path / "q1.xlsx").read_bytes()
    assert result.rerun_sha256 == hashlib.sha256((tmp_path / "q1.xlsx").read_bytes()).hexdigest()


def test_a_rerun_ignores_a_correction_sent_after_the_submission(tmp_path: Path) -> None:
    warehouse = build_council(tmp_path, [Case()])
    as_of = date(2025, 6, 30)
    with connect(warehouse) as con:
        submitted = run_claim(con, load_plan(), as_of, tmp_path / "q1.xlsx", submit=True)
    assert submitted.claimed == 1
    # The partner re-sends the same file name with the lead practitioner removed: a
    # correction that supersedes the submitted batch for every later decision.
    resend(warehouse, [replace(Case(), lead="")], "fixed", resend_of="first")
    assert decide(warehouse, as_of).loc["EH1", "failed_gates"] == "3"

    result = rerun_period(warehouse, as_of, out=tmp_path / "rerun.xlsx")
    assert result.identical, result.differences
    assert (tmp_path / "rerun.xlsx").read_bytes() == (tmp_path / "q1.xlsx").read_bytes()


def test_a_rerun_reports_which_cells_differ(tmp_path: Path) -> None:
    warehouse = build_council(tmp_path, [Case()])
    as_of = date(2025, 6, 30)
    with connect(warehouse) as con:
        run_claim(con, load_plan(), as_of, tmp_path / "q1.xlsx", submit=True)
        # Someone edits the stored plan: the re-run must show what that changes.
        con.execute(
            "update claim_submission set plan_json = replace(plan_json, "
            "'\"min_headlines\":3', '\"min_headlines\":4')"
        )
    result = rerun_period(warehouse, as_of)
    assert not result.identical
    # Summary row 8 is "families claimed".
    assert any(d.startswith("Summary!B8: 1 -> 0") for d in result.differences), result.differences
    with pytest.raises(LedgerError, match="no submission for the period ending 2025-03-31"):
        rerun_period(warehouse, date(2025, 3, 31))


def test_hostile_source_values_stay_text_in_the_workbook(tmp_path: Path) -> None:
    hostile = Case(case_id='=HYPERLINK("http://x","y")', lead="=cmd|' /C calc'!A0")
    warehouse = build_council(tmp_path, [hostile])
    with connect(warehouse) as con:
        result = run_claim(con, load_plan(), date(2025, 9, 30), tmp_path / "c.xlsx")
    assert result.claimed == 1
    book = openpyxl.load_workbook(result.workbook)
    for sheet in ("Families", "Evidence"):
        header = [c.value for c in book[sheet][1]]
        cell = book[sheet].cell(row=2, column=header.index("case_id") + 1)
        assert cell.value == hostile.case_id
        assert cell.data_type == "s" and cell.quotePrefix
    assert all(
        not (isinstance(c.value, str) and c.data_type == "f")
        for ws in book.worksheets
        for row in ws.iter_rows()
        for c in row
    )

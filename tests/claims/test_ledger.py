"""The ledger across periods: a case is claimed once, a family again only as Chapter 5 allows,
periods in order, and one row per family in the workbook."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from claims.ledger import LedgerError
from claims.submission import run_claim
from data_contracts.warehouse import connect
from indicators.plan import load_plan
from tests.claims.conftest import PARENT, Case, Person, build_council, decide, plan_with

FIRST_QUARTER_END = date(2025, 6, 30)


def submit(warehouse: Path, as_of: date, out: Path, plan_file: Path | None = None):
    with connect(warehouse) as con:
        return run_claim(con, load_plan(plan_file), as_of, out, submit=True)


def sheet_rows(path: Path, sheet: str) -> list[dict[str, object]]:
    rows = list(openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


@pytest.mark.rule("gate7-once-per-family")
def test_the_ledger_prevents_a_double_claim_across_two_quarters(tmp_path: Path) -> None:
    warehouse = build_council(tmp_path, [Case()])
    first = submit(warehouse, FIRST_QUARTER_END, tmp_path / "q1.xlsx")
    assert first.claimed == 1 and first.submission_id == 1
    decision = decide(warehouse, date(2025, 9, 30)).loc["EH1"]
    assert not decision["claimed"]
    assert decision["failed_gates"] == "7"
    assert (
        "gate 7: this case was already claimed on 2025-06-30 (claim S1:EH1)" in decision["reasons"]
    )
    # A claimed case is never claimed again: no date to wait for.
    assert decision["earliest_pass_date"] is None or str(decision["earliest_pass_date"]) == "NaT"
    second = submit(warehouse, date(2025, 9, 30), tmp_path / "q2.xlsx")
    assert second.claimed == 0
    with connect(warehouse) as con:
        rows = con.execute("select case_id, as_of from claim_ledger").fetchall()
    assert rows == [("EH1", FIRST_QUARTER_END)]


def test_the_same_period_cannot_be_submitted_twice(tmp_path: Path) -> None:
    warehouse = build_council(tmp_path, [Case()])
    submit(warehouse, FIRST_QUARTER_END, tmp_path / "a.xlsx")
    with pytest.raises(LedgerError, match="already submitted"):
        submit(warehouse, FIRST_QUARTER_END, tmp_path / "b.xlsx")
    assert not (tmp_path / "b.xlsx").exists()


@pytest.mark.rule("periods-in-order")
def test_a_period_earlier_than_one_submitted_is_refused(tmp_path: Path) -> None:
    # Issue 12 item 15 (SPEC section 4: "periods are submitted in order").
    warehouse = build_council(tmp_path, [Case()])
    submit(warehouse, date(2025, 9, 30), tmp_path / "q2.xlsx")
    with pytest.raises(LedgerError, match="earlier than one already submitted") as refused:
        submit(warehouse, FIRST_QUARTER_END, tmp_path / "q1.xlsx")
    assert "the period ending 2025-09-30" in str(refused.value)
    assert not (tmp_path / "q1.xlsx").exists()
    # A later period still goes in.
    assert submit(warehouse, date(2025, 12, 31), tmp_path / "q3.xlsx").submission_id == 2


def a_later_case_of_the_family(closed: str) -> Case:
    """The family worked with again: a new case, support ending `closed`."""
    return Case(
        case_id="EH2",
        opened="2026-01-05",
        assessment="2026-01-20",
        action_plan="2026-02-01",
        closed=closed,
        needs=[
            ("MPH2", "P1", "2026-01-20", "2026-11-30"),
            ("REL1", "", "2026-01-20", "2026-11-30"),
            ("FIN2", "", "2026-01-20", "2026-11-30"),
        ],
    )


@pytest.mark.rule("gate7-two-years")
@pytest.mark.parametrize(
    ("as_of", "claimed"),
    [(date(2027, 5, 30), False), (date(2027, 6, 30), True), (date(2027, 7, 30), True)],
    ids=["23 months", "24 months", "25 months"],
)
def test_a_reclaim_needs_two_years(tmp_path: Path, as_of: date, claimed: bool) -> None:
    # The re-claim is of a later case of the same family: the claimed case itself never is
    # (issue 12 item 1), whatever the time since.
    warehouse = build_council(tmp_path, [Case(), a_later_case_of_the_family("2026-12-01")])
    submit(warehouse, FIRST_QUARTER_END, tmp_path / "first.xlsx")
    result = submit(warehouse, as_of, tmp_path / "later.xlsx")
    assert result.claimed == int(claimed)
    assert result.reclaims == int(claimed)
    book = openpyxl.load_workbook(result.workbook)
    summary = {r[0]: r[1] for r in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["of which re-claims"] == int(claimed)
    decisions = decide(warehouse, as_of)
    assert "this case was already claimed on 2025-06-30" in decisions.loc["EH1", "reasons"]
    if claimed:
        [row] = sheet_rows(result.workbook, "Families")
        assert (row["case_id"], row["reclaim"]) == ("EH2", "yes")
        assert "last claimed 2025-06-30" in str(row["reclaim_basis"])
    else:
        assert "gate 7: already claimed on 2025-06-30" in decisions.loc["EH2", "reasons"]


@pytest.mark.rule("gate7-adult-joined-new-family")
def test_an_adult_joining_a_new_family_allows_a_reclaim(tmp_path: Path) -> None:
    warehouse = build_council(tmp_path, [Case()])
    submit(warehouse, FIRST_QUARTER_END, tmp_path / "first.xlsx")
    # The parent leaves and starts a new family with a new partner and a new child.
    partner = Person("P7", "Owen", "Price", "1986-03-09", postcode="MK9 1AA")
    baby = Person("C7", "Alfie", "Price", "2024-01-15", postcode="MK9 1AA")
    moved = replace(PARENT, postcode="MK9 1AA")
    # Issue 23 item 1: the new family's case opens after the claim (a change counts only
    # after the family's last claim); it is decided a year later.
    new_family = Case(
        case_id="EH2",
        family_ref="FAM2",
        opened="2025-07-07",
        assessment="2025-07-10",
        action_plan="2025-07-15",
        closed="2026-02-16",
        members=[(moved, "parent_carer"), (partner, "parent_carer"), (baby, "child")],
        needs=[
            ("MPH2", "P1", "2025-07-20", "2026-01-30"),
            ("REL1", "", "2025-07-20", "2026-01-30"),
            ("FIN2", "", "2025-07-20", "2026-01-30"),
        ],
    )
    same_family = Case(case_id="EH3", family_ref="FAM3")  # the same people again
    build_council(tmp_path, [new_family, same_family], tag="second")
    decisions = decide(warehouse, date(2026, 9, 30))
    assert bool(decisions.loc["EH2", "claimed"]), decisions.loc["EH2", "reasons"]
    assert decisions.loc["EH2", "reclaim"] == "yes"
    assert "the adults differ" in decisions.loc["EH2", "reclaim_basis"]
    assert decisions.loc["EH3", "failed_gates"] == "7"


@pytest.mark.rule("gate7-first-to-close")
def test_one_row_per_family_and_the_other_case_names_it(tmp_path: Path) -> None:
    # Issue 12 item 1: two cases of one family pass in one period; SPEC section 5: the
    # Families sheet has one row per family.
    earlier = Case(opened="2023-02-01", assessment="2023-02-10", action_plan="2023-02-15",
                   closed="2024-03-29",
                   needs=[("MPH2", "P1", "2023-02-10", "2024-03-01"),
                          ("REL1", "", "2023-02-10", "2024-03-01"),
                          ("FIN2", "", "2023-02-10", "2024-03-01")])  # fmt: skip
    later = Case(case_id="EH2", opened="2024-10-01", assessment="2024-10-10",
                 action_plan="2024-10-15", closed="2025-03-30",
                 needs=[("MPH2", "P1", "2024-10-10", "2025-03-01"),
                        ("REL1", "", "2024-10-10", "2025-03-01"),
                        ("FIN2", "", "2024-10-10", "2025-03-01")])  # fmt: skip
    warehouse = build_council(tmp_path, [later, earlier])
    result = submit(warehouse, date(2025, 9, 30), tmp_path / "q2.xlsx")
    families = sheet_rows(result.workbook, "Families")
    assert [(r["family_id"], r["case_id"]) for r in families] == [(families[0]["family_id"], "EH1")]
    [other] = sheet_rows(result.workbook, "Not claimed")
    assert other["case_id"] == "EH2"
    assert "case EH1 of the same family closed first and is claimed instead" in str(
        other["reasons"]
    )
    with connect(warehouse) as con:
        assert con.execute("select case_id from claim_ledger").fetchall() == [("EH1",)]


def test_yearly_allocation_in_the_summary(tmp_path: Path) -> None:
    warehouse = build_council(tmp_path, [Case()])
    plan = plan_with(tmp_path, "allocation", **{"2025-26": 40})
    result = submit(warehouse, FIRST_QUARTER_END, tmp_path / "a.xlsx", Path(plan.source))
    book = openpyxl.load_workbook(result.workbook)
    summary = {r[0]: r[1] for r in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["yearly allocation 2025-26"] == 40
    assert summary["families claimed in 2025-26 including this period"] == 1
    assert summary["allocation remaining 2025-26"] == 39

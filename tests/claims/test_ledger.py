"""The ledger across periods: no double claim, re-claims after 2 years or a new family."""

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


def test_the_ledger_prevents_a_double_claim_across_two_quarters(tmp_path: Path) -> None:
    warehouse = build_council(tmp_path, [Case()])
    first = submit(warehouse, FIRST_QUARTER_END, tmp_path / "q1.xlsx")
    assert first.claimed == 1 and first.submission_id == 1
    decision = decide(warehouse, date(2025, 9, 30)).loc["EH1"]
    assert not decision["claimed"]
    assert decision["failed_gates"] == "7"
    assert "gate 7: already claimed on 2025-06-30" in decision["reasons"]
    assert "from 2027-06-30" in decision["reasons"]
    assert decision["earliest_pass_date"].date() == date(2027, 6, 30)
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


@pytest.mark.parametrize(
    ("as_of", "claimed"),
    [(date(2027, 5, 30), False), (date(2027, 6, 30), True), (date(2027, 7, 30), True)],
    ids=["23 months", "24 months", "25 months"],
)
def test_a_reclaim_needs_two_years(tmp_path: Path, as_of: date, claimed: bool) -> None:
    warehouse = build_council(tmp_path, [Case()])
    submit(warehouse, FIRST_QUARTER_END, tmp_path / "first.xlsx")
    result = submit(warehouse, as_of, tmp_path / "later.xlsx")
    assert result.claimed == int(claimed)
    assert result.reclaims == int(claimed)
    book = openpyxl.load_workbook(result.workbook)
    summary = {r[0]: r[1] for r in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["of which re-claims"] == int(claimed)
    if claimed:
        families = list(book["Families"].iter_rows(values_only=True))
        row = dict(zip(families[0], families[1], strict=True))
        assert row["reclaim"] == "yes"
        assert "last claimed 2025-06-30" in row["reclaim_basis"]
    else:
        assert "gate 7: already claimed" in decide(warehouse, as_of).loc["EH1", "reasons"]


def test_an_adult_joining_a_new_family_allows_a_reclaim(tmp_path: Path) -> None:
    warehouse = build_council(tmp_path, [Case()])
    submit(warehouse, FIRST_QUARTER_END, tmp_path / "first.xlsx")
    # The parent leaves and starts a new family with a new partner and a new child.
    partner = Person("P7", "Owen", "Price", "1986-03-09", postcode="MK9 1AA")
    baby = Person("C7", "Alfie", "Price", "2024-01-15", postcode="MK9 1AA")
    moved = replace(PARENT, postcode="MK9 1AA")
    new_family = Case(
        case_id="EH2",
        family_ref="FAM2",
        opened="2024-02-01",
        members=[(moved, "parent_carer"), (partner, "parent_carer"), (baby, "child")],
    )
    same_family = Case(case_id="EH3", family_ref="FAM3")  # the same people again
    build_council(tmp_path, [new_family, same_family], tag="second")
    decisions = decide(warehouse, date(2025, 9, 30))
    assert bool(decisions.loc["EH2", "claimed"]), decisions.loc["EH2", "reasons"]
    assert decisions.loc["EH2", "reclaim"] == "yes"
    assert "the adults differ" in decisions.loc["EH2", "reclaim_basis"]
    assert decisions.loc["EH3", "failed_gates"] == "7"


def test_yearly_allocation_in_the_summary(tmp_path: Path) -> None:
    warehouse = build_council(tmp_path, [Case()])
    plan = plan_with(tmp_path, "allocation", **{"2025-26": 40})
    result = submit(warehouse, FIRST_QUARTER_END, tmp_path / "a.xlsx", Path(plan.source))
    book = openpyxl.load_workbook(result.workbook)
    summary = {r[0]: r[1] for r in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["yearly allocation 2025-26"] == 40
    assert summary["families claimed in 2025-26 including this period"] == 1
    assert summary["allocation remaining 2025-26"] == 39

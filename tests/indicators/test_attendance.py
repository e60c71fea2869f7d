"""EDU1 and EDU2: needs and outcome tests at their thresholds, on hand-made rows."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from indicators.plan import load_plan
from indicators.runner import derive_all
from tests.staging import empty_warehouse, stage_council

AS_OF = date(2025, 9, 30)
TERMS = [(y, t) for y in ("2023/24", "2024/25") for t in ("autumn", "spring", "summer")]


def build(
    tmp_path: Path,
    absent_per_term: dict[tuple[str, str], int],
    opened: str = "2023-10-02",
    closed: str = "2024-12-16",
) -> dict[str, tuple]:
    """One open-then-closed case with a child whose attendance is 1000 sessions a term."""
    case = {
        "case": {"opened": opened, "assessment": "2024-06-20", "action_plan": "2024-07-01",
                 "closed": closed or None},
        "rows": {
            "attendance": [
                {"person": "child", "upn": "A000000000001", "school_urn": "100001",
                 "academic_year": year, "term": term, "sessions_possible": 1000,
                 "sessions_authorised_absence": 0,
                 "sessions_unauthorised_absence": absent_per_term.get((year, term), 20)}
                for year, term in TERMS
            ]
        },
    }  # fmt: skip
    with empty_warehouse() as con:
        stage_council(con, case)
        derive_all(con, load_plan(), AS_OF)
        needs = con.execute(
            "select criterion, identified_date, round(baseline_rate, 4) from need_attendance"
        ).fetchall()
        assert con.execute("select count(*) from case_current").fetchall() == [(1,)]
        outcomes = con.execute("select criterion, test_ran, met from outcome_attendance").fetchall()
    return {"needs": tuple(needs), "outcomes": tuple(outcomes)}


def first_pair(absent: int) -> dict[tuple[str, str], int]:
    return {("2023/24", "autumn"): absent, ("2023/24", "spring"): absent}


@pytest.mark.parametrize(
    ("absent", "expected"),
    [
        (100, ()),  # 90.0%: no need
        (101, (("EDU1", date(2024, 3, 31), 0.899),)),  # 89.9%: EDU1
        (500, (("EDU1", date(2024, 3, 31), 0.5),)),  # 50.0%: still EDU1
        (501, (("EDU2", date(2024, 3, 31), 0.499),)),  # 49.9%: EDU2
    ],
)
def test_need_at_the_attendance_thresholds(tmp_path: Path, absent: int, expected: tuple) -> None:
    assert build(tmp_path, first_pair(absent))["needs"] == expected


def test_need_found_before_opening_is_identified_on_the_opening_date(tmp_path: Path) -> None:
    # The pair ends 2024-03-31, within the 12 months before the case opened on 2024-06-01.
    result = build(tmp_path, first_pair(300), opened="2024-06-01")
    assert result["needs"] == (("EDU1", date(2024, 6, 1), 0.7),)


def test_need_more_than_12_months_before_opening_is_not_counted(tmp_path: Path) -> None:
    # Only the pair ending 2024-03-31 is under 90%; the case opens 2025-04-01.
    absences = {("2023/24", "autumn"): 400, ("2023/24", "spring"): 0}
    result = build(tmp_path, absences, opened="2025-04-01", closed="")
    assert result["needs"] == ()
    assert result["outcomes"] == ()


def test_child_with_edu2_does_not_also_get_edu1(tmp_path: Path) -> None:
    absences = {**first_pair(600), ("2023/24", "summer"): 300}
    assert [n[0] for n in build(tmp_path, absences)["needs"]] == ["EDU2"]


@pytest.mark.parametrize(
    ("latest_absent", "met"),
    [(100, True), (101, False)],  # EDU1 outcome: 90.0% met, 89.9% not met
)
def test_edu1_outcome_at_90_percent(tmp_path: Path, latest_absent: int, met: bool) -> None:
    absences = {
        **first_pair(200),
        ("2024/25", "spring"): latest_absent,
        ("2024/25", "summer"): latest_absent,
    }
    assert build(tmp_path, absences)["outcomes"] == (("EDU1", True, met),)


@pytest.mark.parametrize(
    ("latest_absent", "met"),
    # Baseline 40.0% needs 52.0% (a 30% relative improvement) and at least 50%.
    [(480, True), (481, False)],
)
def test_edu2_outcome_needs_30_percent_relative_improvement(
    tmp_path: Path, latest_absent: int, met: bool
) -> None:
    absences = {
        **first_pair(600),
        ("2023/24", "summer"): 600,
        ("2024/25", "spring"): latest_absent,
        ("2024/25", "summer"): latest_absent,
    }
    assert build(tmp_path, absences)["outcomes"] == (("EDU2", True, met),)

"""Planted early help cases, each built to pass or fail known claim gates.

The expected decision of a case comes from how its scenario is built (the `fails` field),
never from the pipeline's rule code: this file is the test oracle for SPEC section 4.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sample_data.population import HouseholdShape

AS_OF = date(2025, 9, 30)
"""The claim date the sample's truth is written for (a quarter end)."""

GOOD_ATTENDANCE = 0.96
EDU1_LEVEL = 0.81
EDU2_LEVEL = 0.41


@dataclass
class CasePlan:
    """Everything a scenario sets on its case; the builder turns it into feed rows."""

    opened: date = date(2023, 10, 2)
    assessment: date | None = date(2023, 10, 20)
    action_plan: date | None = date(2023, 11, 1)
    closed: date | None = date(2024, 12, 16)
    lead: str = "Lead practitioner"
    # (criterion, member index or None for the whole family, identified on, outcome on)
    needs: list[tuple[str, int | None, date, date | None]] = field(default_factory=list)
    # Attendance of the first school-age child: (academic_year, term) -> rate.
    attendance: dict[tuple[str, str], float] = field(default_factory=dict)
    referral: tuple[date, bool] | None = None
    roles: dict[int, str] = field(default_factory=dict)


IDENTIFIED = date(2023, 10, 20)
ACHIEVED = date(2024, 11, 30)


def _base() -> CasePlan:
    return CasePlan(
        needs=[
            ("MPH2", 0, IDENTIFIED, ACHIEVED),
            ("REL1", None, IDENTIFIED, ACHIEVED),
            ("FIN2", None, IDENTIFIED, ACHIEVED),
        ]
    )


def _edu1(improved: bool) -> dict[tuple[str, str], float]:
    later = GOOD_ATTENDANCE if improved else 0.85
    return {
        ("2023/24", "autumn"): EDU1_LEVEL,
        ("2023/24", "spring"): EDU1_LEVEL,
        ("2023/24", "summer"): 0.93,
        ("2024/25", "autumn"): later,
        ("2024/25", "spring"): later,
        ("2024/25", "summer"): later,
    }


def _edu2() -> dict[tuple[str, str], float]:
    return {
        ("2023/24", "autumn"): EDU2_LEVEL,
        ("2023/24", "spring"): EDU2_LEVEL,
        ("2023/24", "summer"): 0.45,
        ("2024/25", "autumn"): 0.55,
        ("2024/25", "spring"): 0.60,
        ("2024/25", "summer"): 0.62,
    }


def _replace_need(plan: CasePlan, code: str, outcome: date | None) -> CasePlan:
    plan.needs = [(c, m, i, outcome if c == code else o) for c, m, i, o in plan.needs]
    return plan


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    fails: tuple[int, ...]
    build: Callable[[], CasePlan]
    shape: HouseholdShape = HouseholdShape()


def _with(**changes: object) -> Callable[[], CasePlan]:
    def build() -> CasePlan:
        plan = _base()
        for key, value in changes.items():
            setattr(plan, key, value)
        return plan

    return build


def _edu_case(attendance: dict[tuple[str, str], float], other: str) -> Callable[[], CasePlan]:
    def build() -> CasePlan:
        plan = _base()
        plan.needs = [n for n in plan.needs if n[0] in ("MPH2", other)]
        plan.attendance = attendance
        return plan

    return build


def _late_need(met: bool) -> Callable[[], CasePlan]:
    def build() -> CasePlan:
        plan = _base()
        plan.needs.append(("SUB1", 0, date(2024, 6, 1), ACHIEVED if met else None))
        return plan

    return build


def _two_headlines() -> CasePlan:
    plan = _base()
    plan.needs = [
        ("REL1", None, IDENTIFIED, ACHIEVED),
        ("REL2", None, IDENTIFIED, ACHIEVED),
        ("MPH2", 0, IDENTIFIED, ACHIEVED),
    ]
    return plan


def _expectant() -> CasePlan:
    plan = _base()
    plan.needs = [
        ("EYD1", 0, IDENTIFIED, ACHIEVED),
        ("MPH2", 0, IDENTIFIED, ACHIEVED),
        ("FIN2", None, IDENTIFIED, ACHIEVED),
    ]
    plan.roles = {0: "expectant_parent"}
    return plan


def _regression() -> CasePlan:
    plan = _base()
    # The dip comes after closure, so no need is identified, but the claim's regression
    # check (SPEC section 4, gate 6) sees the two latest terms under 90%.
    plan.attendance = {("2024/25", "spring"): 0.87, ("2024/25", "summer"): 0.88}
    return plan


def _multiple() -> CasePlan:
    plan = _replace_need(_base(), "FIN2", None)
    plan.assessment = None
    return plan


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("pass_three_headlines", "three recorded needs, all met", (), _base),
    Scenario(
        "pass_edu1_improved",
        "EDU1 from attendance, improved to 96%",
        (),
        _edu_case(_edu1(True), "REL1"),
    ),
    Scenario(
        "pass_edu2_improved", "EDU2 from attendance, 41% to 61%", (), _edu_case(_edu2(), "FIN2")
    ),
    Scenario(
        "pass_expectant_parent",
        "no child but an expectant parent",
        (),
        _expectant,
        HouseholdShape(adults=2, school_children=0),
    ),
    Scenario(
        "pass_closed_exactly_six_months",
        "closed on as-of minus 6 months",
        (),
        _with(closed=date(2025, 3, 30)),
    ),
    Scenario(
        "pass_referral_not_accepted",
        "a referral after closure, not accepted",
        (),
        _with(referral=(date(2025, 5, 1), False)),
    ),
    Scenario("pass_late_need_met", "a need found after opening, met", (), _late_need(True)),
    Scenario(
        "fail_gate1_no_child",
        "adults only",
        (1,),
        _base,
        HouseholdShape(adults=2, school_children=0),
    ),
    Scenario("fail_gate2_two_headlines", "three needs under two headlines", (2,), _two_headlines),
    Scenario(
        "fail_gate3_no_assessment", "no whole family assessment", (3,), _with(assessment=None)
    ),
    Scenario("fail_gate3_no_lead", "no lead practitioner", (3,), _with(lead="")),
    Scenario(
        "fail_gate4_outcome_missing",
        "FIN2 has no outcome",
        (4,),
        lambda: _replace_need(_base(), "FIN2", None),
    ),
    Scenario(
        "fail_gate4_outcome_after_as_of",
        "FIN2 met only after the as-of date",
        (4,),
        lambda: _replace_need(_base(), "FIN2", date(2025, 10, 15)),
    ),
    Scenario(
        "fail_gate4_edu1_not_met",
        "EDU1 child still at 85%",
        (4, 6),
        _edu_case(_edu1(False), "REL1"),
    ),
    Scenario(
        "fail_gate4_late_need_unmet", "a need found after opening, not met", (4,), _late_need(False)
    ),
    Scenario(
        "fail_gate5_recent_closure",
        "closed 3 months before the as-of date",
        (5,),
        _with(closed=date(2025, 6, 30)),
    ),
    Scenario(
        "fail_gate5_closed_day_late",
        "closed one day short of 6 months",
        (5,),
        _with(closed=date(2025, 4, 1)),
    ),
    Scenario(
        "fail_gate5_rereferral",
        "accepted re-referral after closure",
        (5,),
        _with(referral=(date(2025, 5, 1), True)),
    ),
    Scenario("fail_gate5_open", "case still open", (5,), _with(closed=None)),
    Scenario("fail_gate6_regression", "attendance fell after closure", (6,), _regression),
    Scenario("fail_multiple", "no assessment and an unmet need", (3, 4), _multiple),
)

GATE_NAMES = {
    1: "dependent child or expectant parent",
    2: "needs span 3+ headline outcomes",
    3: "whole family approach",
    4: "every need has its outcome met",
    5: "closed 6+ months, no accepted re-referral",
    6: "attendance regression check",
    7: "not already claimed",
}

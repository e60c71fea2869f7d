"""Planted cases for the claim gates: the walking skeleton's, then each gate failed alone.

The first scenarios are the walking skeleton's (other tests look them up by name); keep
their order so a small sample still plants them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sample_data.population import HouseholdShape
from sample_data.scenarios.model import (
    ACHIEVED,
    IDENTIFIED,
    Attendance,
    CasePlan,
    PriorClaim,
    Scenario,
    base,
    edu1,
    edu2,
    replace_need,
    with_,
)


def _edu_case(attendance: Attendance, other: str) -> Callable[[], CasePlan]:
    def build() -> CasePlan:
        plan = base()
        plan.needs = [n for n in plan.needs if n[0] in ("MPH2", other)]
        plan.attendance = attendance
        return plan

    return build


def _late_need(met: bool) -> Callable[[], CasePlan]:
    def build() -> CasePlan:
        plan = base()
        plan.needs.append(("SUB1", "adult", date(2024, 6, 1), ACHIEVED if met else None))
        return plan

    return build


def _two_headlines() -> CasePlan:
    plan = base()
    plan.needs = [
        ("REL1", None, IDENTIFIED, ACHIEVED),
        ("REL2", None, IDENTIFIED, ACHIEVED),
        ("MPH2", "adult", IDENTIFIED, ACHIEVED),
    ]
    return plan


def _expectant() -> CasePlan:
    plan = base()
    plan.needs = [
        ("EYD1", "adult", IDENTIFIED, ACHIEVED),
        ("MPH2", "adult", IDENTIFIED, ACHIEVED),
        ("FIN2", None, IDENTIFIED, ACHIEVED),
    ]
    plan.roles = {"adult": "expectant_parent"}
    return plan


def _regression() -> CasePlan:
    plan = base()
    # The dip comes after closure, so no need is identified, but the claim's regression
    # check (SPEC section 4, gate 6) sees the two latest terms under 90%.
    plan.attendance = {("2024/25", "spring"): 0.87, ("2024/25", "summer"): 0.88}
    return plan


def _multiple() -> CasePlan:
    plan = replace_need(base(), "FIN2", None)
    plan.assessment = None
    return plan


def _reclaim(
    months_before: int, adults_changed: bool = False, former_child: bool = False
) -> Callable[[], CasePlan]:
    def build() -> CasePlan:
        opened = date(2024, 1, 8)
        plan = CasePlan(opened=opened, assessment=date(2024, 1, 22), action_plan=date(2024, 2, 1))
        plan.needs = [(c, m, date(2024, 1, 22), o) for c, m, _, o in base().needs]
        plan.prior_claim = PriorClaim(months_before, adults_changed, former_child)
        return plan

    return build


# The first scenarios are the walking skeleton's (other tests look them up by name); keep
# their order so a small sample still plants them.
GATE_SCENARIOS: tuple[Scenario, ...] = (
    Scenario("pass_three_headlines", "three recorded needs, all met", (), base),
    Scenario(
        "pass_edu1_improved",
        "EDU1 from attendance, improved to 96%",
        (),
        _edu_case(edu1(True), "REL1"),
        requires=("EDU1",),
    ),
    Scenario(
        "pass_edu2_improved",
        "EDU2 from attendance, 41% to 61%",
        (),
        _edu_case(edu2(), "FIN2"),
        requires=("EDU2",),
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
        with_(closed=date(2025, 3, 30)),
    ),
    Scenario(
        "pass_referral_not_accepted",
        "a referral after closure, not accepted",
        (),
        with_(referral=(date(2025, 5, 1), False)),
    ),
    Scenario("pass_late_need_met", "a need found after opening, met", (), _late_need(True)),
    Scenario(
        "fail_gate1_no_child",
        "adults only",
        (1,),
        base,
        HouseholdShape(adults=2, school_children=0),
    ),
    Scenario("fail_gate2_two_headlines", "three needs under two headlines", (2,), _two_headlines),
    Scenario(
        "fail_gate3_no_assessment", "no whole family assessment", (3,), with_(assessment=None)
    ),
    Scenario("fail_gate3_no_lead", "no lead practitioner", (3,), with_(lead="")),
    Scenario(
        "fail_gate4_outcome_missing",
        "FIN2 has no outcome",
        (4,),
        lambda: replace_need(base(), "FIN2", None),
    ),
    Scenario(
        "fail_gate4_outcome_after_as_of",
        "FIN2 met only after the as-of date",
        (4,),
        lambda: replace_need(base(), "FIN2", date(2025, 10, 15)),
    ),
    Scenario(
        "fail_gate4_edu1_not_met",
        "EDU1 child still at 85%",
        (4, 6),
        _edu_case(edu1(False), "REL1"),
        requires=("EDU1", "gate6"),
    ),
    Scenario(
        "fail_gate4_late_need_unmet", "a need found after opening, not met", (4,), _late_need(False)
    ),
    Scenario(
        "fail_gate5_recent_closure",
        "closed 3 months before the as-of date",
        (5,),
        with_(closed=date(2025, 6, 30)),
    ),
    Scenario(
        "fail_gate5_closed_day_late",
        "closed one day short of 6 months",
        (5,),
        with_(closed=date(2025, 4, 1)),
    ),
    Scenario(
        "fail_gate5_rereferral",
        "accepted re-referral after closure",
        (5,),
        with_(referral=(date(2025, 5, 1), True)),
    ),
    Scenario("fail_gate5_open", "case still open", (5,), with_(closed=None)),
    Scenario(
        "fail_gate6_regression",
        "attendance fell after closure",
        (6,),
        _regression,
        requires=("gate6",),
    ),
    Scenario("fail_multiple", "no assessment and an unmet need", (3, 4), _multiple),
    # More gates, each failed alone.
    Scenario(
        "fail_gate1_young_adult_only",
        "the only young person is 20, already 18 when the case opened: no dependent child",
        (1,),
        base,
        HouseholdShape(adults=2, school_children=0, young_people=1, youth_age=20),
    ),
    Scenario("fail_gate3_no_action_plan", "no action plan date", (3,), with_(action_plan=None)),
    Scenario(
        "fail_gate7_reclaim_23_months",
        "claimed 23 months before, same adults",
        (7,),
        _reclaim(23),
        requires=("gate7", "historic_import"),
    ),
    Scenario(
        "pass_reclaim_25_months",
        "claimed 25 months before: a re-claim",
        (),
        _reclaim(25),
        requires=("gate7", "historic_import"),
        reclaim=True,
    ),
    Scenario(
        "pass_reclaim_adults_changed",
        "claimed 23 months before with another adult: a re-claim",
        (),
        _reclaim(23, adults_changed=True),
        requires=("gate7", "historic_import"),
        reclaim=True,
    ),
    Scenario(
        "pass_reclaim_former_child_now_parent",
        "a child on a claim 23 months before is now a parent: a re-claim",
        (),
        _reclaim(23, former_child=True),
        # The baby is 1: born before the case closed, a dependent child while it was open.
        HouseholdShape(
            adults=1, school_children=0, young_children=1, adult_age=19, young_child_age=1
        ),
        requires=("gate7", "historic_import"),
        reclaim=True,
    ),
    Scenario(
        "pass_birth_during_case",
        "an expectant parent whose baby is born while the case is open",
        (),
        _expectant,
        HouseholdShape(adults=2, school_children=0, young_children=1, young_child_age=1),
    ),
)

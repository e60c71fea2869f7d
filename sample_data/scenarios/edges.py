"""Planted cases at the rules' thresholds: attendance, incident counts, re-referral dates."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sample_data.scenarios.criteria import YOUTH, fillers
from sample_data.scenarios.model import (
    LATEST_SIX_MONTHS,
    Attendance,
    CasePlan,
    Scenario,
    edge_attendance,
    incidents_before_opening,
    police,
    with_,
)


def _crime_edge(member: str, baseline: int, later: int, severe: bool = False):
    def build() -> CasePlan:
        plan = CasePlan(needs=fillers("CRI1"))
        plan.events += incidents_before_opening(member, baseline, ("offence", "arrest", "asb"))
        for i in range(later):
            plan.events.append(police(member, LATEST_SIX_MONTHS[i], "offence", severe))
        return plan

    return build


def _attendance_edge(identify, later: Attendance) -> Callable[[], CasePlan]:
    def build() -> CasePlan:
        plan = CasePlan(needs=fillers("EDU1"))
        plan.attendance = edge_attendance(identify, later)
        return plan

    return build


def _later(rate: float | tuple[int, int], autumn: float | tuple[int, int] = 0.93) -> Attendance:
    return {
        ("2024/25", "autumn"): autumn,
        ("2024/25", "spring"): rate,
        ("2024/25", "summer"): rate,
    }


def _late_derived(met: bool) -> Callable[[], CasePlan]:
    def build() -> CasePlan:
        plan = CasePlan(needs=fillers("CRI1"))
        plan.events.append(police("adult", date(2024, 5, 10), "offence"))
        if not met:
            plan.events.append(police("adult", LATEST_SIX_MONTHS[0], "arrest"))
        return plan

    return build


EDGE_SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "pass_edge_attendance_90_0",
        "EDU1 met at exactly 90.0% over the latest 2 terms",
        (),
        _attendance_edge(((180, 36), (180, 36)), _later((180, 18))),
        requires=("EDU1",),
    ),
    Scenario(
        "fail_edge_attendance_89_9",
        "EDU1 not met at 89.9% over the latest 2 terms",
        (4, 6),
        _attendance_edge(((180, 36), (180, 36)), _later((189, 19))),
        requires=("EDU1", "gate6"),
    ),
    Scenario(
        "pass_edge_attendance_49_9",
        "49.9% makes it EDU2; 66% later is a 30% improvement",
        (),
        _attendance_edge(((190, 95), (189, 95)), _later((180, 60), (180, 60))),
        requires=("EDU1", "EDU2"),
    ),
    Scenario(
        "fail_edge_attendance_50_0",
        "50.0% makes it EDU1, which 61% later does not meet",
        (4, 6),
        _attendance_edge(((180, 90), (180, 90)), _later((180, 70), (180, 70))),
        requires=("EDU1", "EDU2", "gate6"),
    ),
    Scenario(
        "fail_edge_adult_incidents_7",
        "adult baseline 7: one incident in the latest 6 months fails",
        (4,),
        _crime_edge("adult", 7, 1),
        requires=("CRI1",),
    ),
    Scenario(
        "pass_edge_adult_incidents_8",
        "adult baseline 8: two incidents in the latest 6 months is a 50% cut",
        (),
        _crime_edge("adult", 8, 2),
        requires=("CRI1",),
    ),
    Scenario(
        "fail_edge_youth_incidents_4",
        "youth baseline 4: one incident in the latest 6 months fails",
        (4,),
        _crime_edge("youth", 4, 1),
        YOUTH,
        requires=("CRI3",),
    ),
    Scenario(
        "pass_edge_youth_incidents_5",
        "youth baseline 5: one incident in the latest 6 months is a 50% cut",
        (),
        _crime_edge("youth", 5, 1),
        YOUTH,
        requires=("CRI3",),
    ),
    Scenario(
        "fail_edge_youth_severe_offence",
        "youth baseline 5, one severe offence in the latest 6 months",
        (4,),
        _crime_edge("youth", 5, 1, severe=True),
        YOUTH,
        requires=("CRI3",),
    ),
    Scenario(
        "pass_edge_rereferral_day_before",
        "closed as-of minus 6 months; accepted referral the day before closure",
        (),
        with_(closed=date(2025, 3, 30), referral=(date(2025, 3, 29), True)),
    ),
    Scenario(
        "fail_edge_rereferral_day_after",
        "closed as-of minus 6 months; accepted referral the day after closure",
        (5,),
        with_(closed=date(2025, 3, 30), referral=(date(2025, 3, 31), True)),
    ),
    Scenario(
        "pass_late_need_derived",
        "CRI1 found in police data 7 months after opening, met",
        (),
        _late_derived(True),
        requires=("CRI1",),
    ),
    Scenario(
        "fail_late_need_derived",
        "CRI1 found in police data 7 months after opening, not met",
        (4,),
        _late_derived(False),
        requires=("CRI1",),
    ),
)

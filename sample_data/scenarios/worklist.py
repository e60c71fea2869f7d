"""Families with needs in the data and no early help case: the identification worklist."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sample_data.scenarios.model import (
    EDU1_LEVEL,
    Attendance,
    CasePlan,
    Event,
    WorklistScenario,
    dwp,
    housing,
    police,
)


def _worklist(events: Callable[[], list[Event]], attendance: Attendance | None = None):
    def build() -> CasePlan:
        return CasePlan(events=events(), attendance=attendance or {})

    return build


WORKLIST_SCENARIOS: tuple[WorklistScenario, ...] = (
    WorklistScenario(
        "worklist_crime_and_work",
        "an adult offending and out of work, no early help case",
        _worklist(
            lambda: (
                [police("adult", date(2025, 2, 3), "offence")]
                + dwp("adult", date(2025, 1, 1), date(2025, 9, 1), "out_of_work")
            )
        ),
        (("CRI1", "adult"), ("FIN1", "adult")),
    ),
    WorklistScenario(
        "worklist_attendance_and_housing",
        "a child at 81% and a notice served, no early help case",
        _worklist(
            lambda: [housing("adult", date(2025, 3, 3), "notice_served")],
            {("2024/25", "spring"): EDU1_LEVEL, ("2024/25", "summer"): EDU1_LEVEL},
        ),
        (("EDU1", "child"), ("HOU2", "adult")),
    ),
    WorklistScenario(
        "worklist_domestic_abuse",
        "domestic abuse with a child present, no early help case",
        _worklist(
            lambda: [
                police("adult", date(2025, 4, 7), "da_victim"),
                police("partner", date(2025, 4, 7), "da_perpetrator"),
                police("child", date(2025, 4, 7), "da_child_present"),
            ]
        ),
        (("DA1", "adult"), ("DA2", "partner"), ("DA3", "child")),
    ),
)

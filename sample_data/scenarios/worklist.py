"""Families the identification worklist must list, and look-alikes it must not.

The worklist (claims/worklist.py, `sfp worklist`) lists candidate families with a
dependent child whose data shows needs under at least 2 headline outcomes in the 12 months
to the as-of date, and no member on an early help case open or closed in the 12 months
before it (plan settings `worklist_*`). Each look-alike misses exactly one of those
conditions, so a worklist that drops any of them lists it. The truth of each household
is `truth/worklist_households.csv` (`listed` yes/no, why), written from how it was
built; with the sample's AS_OF (30 September 2025) the window opens on 30 September 2024.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sample_data.population import HouseholdShape
from sample_data.scenarios.model import (
    EDU1_LEVEL,
    Attendance,
    CasePlan,
    Event,
    Scenario,
    WorklistScenario,
    dwp,
    housing,
    police,
)

RECENT_OFFENCE = date(2025, 2, 3)


def _worklist(events: Callable[[], list[Event]], attendance: Attendance | None = None):
    def build() -> CasePlan:
        return CasePlan(events=events(), attendance=attendance or {})

    return build


def _crime_and_work() -> list[Event]:
    """CRI1 and FIN1 for the first adult, both inside the window."""
    return [police("adult", RECENT_OFFENCE, "offence")] + dwp(
        "adult", date(2025, 1, 1), date(2025, 9, 1), "out_of_work"
    )


def _domestic_abuse() -> list[Event]:
    """DA1, DA2 and DA3 from one incident: three needs under one headline."""
    day = date(2025, 4, 7)
    return [
        police("adult", day, "da_victim"),
        police("partner", day, "da_perpetrator"),
        police("child", day, "da_child_present"),
    ]


def _known_case(
    opened: date, closed: date | None, needs: list[tuple[str, str | None, date, date | None]]
) -> Callable[[], CasePlan]:
    """An early help case of the household, with CRI1 and FIN1 in the worklist's window."""

    def build() -> CasePlan:
        return CasePlan(
            opened=opened,
            assessment=date(opened.year, opened.month, 20),
            action_plan=date(opened.year, opened.month, 28),
            closed=closed,
            needs=needs,
            events=_crime_and_work(),
        )

    return build


def _case_scenario(
    name: str, description: str, fails: tuple[int, ...], build: Callable[[], CasePlan]
) -> Scenario:
    return Scenario(name, description, fails, build, requires=("CRI1", "FIN1", "gate6"))


CLOSED_LONG_AGO = _case_scenario(
    "worklist_case_closed_long_ago",
    "a case closed in December 2023 (claimed), then an adult offending and out of work",
    (),
    _known_case(
        date(2023, 1, 9),
        date(2023, 12, 15),
        [
            ("MPH2", "adult", date(2023, 1, 20), date(2023, 11, 30)),
            ("REL1", None, date(2023, 1, 20), date(2023, 11, 30)),
            ("FIN2", None, date(2023, 1, 20), date(2023, 11, 30)),
        ],
    ),
)
CASE_OPEN = _case_scenario(
    "lookalike_case_open",
    "an adult offending and out of work, on an early help case opened in June 2025",
    (2, 4, 5),
    _known_case(date(2025, 6, 2), None, []),
)
CASE_CLOSED_RECENTLY = _case_scenario(
    "lookalike_case_closed_recently",
    "an adult offending and out of work, on an early help case closed in March 2025",
    (2, 4),
    _known_case(date(2024, 6, 3), date(2025, 3, 14), []),
)

WORKLIST_SCENARIOS: tuple[WorklistScenario, ...] = (
    WorklistScenario(
        "worklist_crime_and_work",
        "an adult offending and out of work, no early help case",
        _worklist(_crime_and_work),
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
        "domestic abuse with a child present, and the child reported missing; no case",
        _worklist(
            lambda: [*_domestic_abuse(), police("child", date(2025, 5, 12), "missing_episode")]
        ),
        (("DA1", "adult"), ("DA2", "partner"), ("DA3", "child"), ("SAF2", "child")),
    ),
    WorklistScenario(
        CLOSED_LONG_AGO.name,
        CLOSED_LONG_AGO.description,
        CLOSED_LONG_AGO.build,
        (("CRI1", "adult"), ("FIN1", "adult")),
        case=CLOSED_LONG_AGO,
    ),
    WorklistScenario(
        "lookalike_one_need",
        "one need only: an adult's offence, no early help case",
        _worklist(lambda: [police("adult", RECENT_OFFENCE, "offence")]),
        (("CRI1", "adult"),),
        listed=False,
    ),
    WorklistScenario(
        "lookalike_one_headline",
        "three needs under one headline: domestic abuse with a child present, no case",
        _worklist(_domestic_abuse),
        (("DA1", "adult"), ("DA2", "partner"), ("DA3", "child")),
        listed=False,
    ),
    WorklistScenario(
        "lookalike_needs_too_old",
        "an adult offending and out of work, all before the 12 months to the as-of date",
        _worklist(
            lambda: (
                [police("adult", date(2024, 5, 10), "offence")]
                + dwp("adult", date(2023, 9, 1), date(2024, 8, 1), "out_of_work")
            )
        ),
        (("CRI1", "adult"), ("FIN1", "adult")),
        listed=False,
    ),
    WorklistScenario(
        "lookalike_no_child",
        "two adults, one offending and out of work, no dependent child",
        _worklist(_crime_and_work),
        (("CRI1", "adult"), ("FIN1", "adult")),
        HouseholdShape(adults=2, school_children=0),
        listed=False,
    ),
    WorklistScenario(
        CASE_OPEN.name,
        CASE_OPEN.description,
        CASE_OPEN.build,
        (("CRI1", "adult"), ("FIN1", "adult")),
        listed=False,
        case=CASE_OPEN,
    ),
    WorklistScenario(
        CASE_CLOSED_RECENTLY.name,
        CASE_CLOSED_RECENTLY.description,
        CASE_CLOSED_RECENTLY.build,
        (("CRI1", "adult"), ("FIN1", "adult")),
        listed=False,
        case=CASE_CLOSED_RECENTLY,
    ),
)
WORKLIST_CASE_SCENARIOS: tuple[Scenario, ...] = tuple(
    s.case for s in WORKLIST_SCENARIOS if s.case is not None
)
"""The early help cases planted in worklist households, decided like every other case."""

"""The scenario model: what a planted case is made of, and the helpers that build one.

A scenario's expected decision comes from how it is built (its `fails`), never from the
pipeline's rule code: the catalogue (sample_data/scenarios/) is the test oracle for SPEC
sections 2-4. `requires` names what a pipeline must implement to decide the case right: the
derived criteria whose data the scenario plants (SPEC section 2 "derived from data?
yes/partly"), `gate6`, `gate7` and `historic_import` (reading OUT/historic_claims.csv).

Dates: the truth holds for AS_OF (30 September 2025). A default case opens on 2 October
2023 and closes on 16 December 2024; the "latest 6 months" of the crime outcome tests are
the 6 months up to the as-of date (docs/sample.md lists every such reading).
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

OPENED = date(2023, 10, 2)
IDENTIFIED = date(2023, 10, 20)
ACHIEVED = date(2024, 11, 30)
CLOSED = date(2024, 12, 16)
MONTH_BEFORE_CLOSURE = date(2024, 12, 1)
LATEST_SIX_MONTHS = (date(2025, 4, 14), date(2025, 6, 9), date(2025, 8, 4))

STRANGER = "stranger"
"""A need's or outcome's member who is not on the case: its source person ID names no member."""

Attendance = dict[tuple[str, str], float | tuple[int, int]]
"""(academic year, term) -> a rate, or exact (sessions possible, sessions absent)."""


@dataclass
class Event:
    """One row a scenario plants in a data feed, about one member."""

    feed: str
    member: str
    day: date
    values: dict[str, object]


@dataclass
class PriorClaim:
    """A past claim for the same family, written to historic_claims.csv."""

    months_before: int
    adults_changed: bool = False
    former_child: bool = False
    """The first adult was a child on the past claim (of her parent's family)."""
    unlinked_extra: bool = False
    """The past claim also listed an adult who links to no one in the warehouse now."""


@dataclass
class CasePlan:
    """Everything a scenario sets on its case; the builder turns it into feed rows.

    Members are named by role in the household: adult, partner, youth, child, child2, baby.
    """

    opened: date = OPENED
    assessment: date | None = IDENTIFIED
    action_plan: date | None = date(2023, 11, 1)
    closed: date | None = CLOSED
    lead: str = "Lead practitioner"
    # Recorded needs: (criterion, member or None for the whole family, identified, met on).
    needs: list[tuple[str, str | None, date, date | None]] = field(default_factory=list)
    # Recorded outcomes of needs the pipeline must find in data: (criterion, member, on).
    outcomes: list[tuple[str, str | None, date]] = field(default_factory=list)
    # Attendance of the first school-age child.
    attendance: Attendance = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    referral: tuple[date, bool] | None = None
    roles: dict[str, str] = field(default_factory=dict)
    prior_claim: PriorClaim | None = None
    dobs: dict[str, date] = field(default_factory=dict)
    """Dates of birth a scenario fixes (member -> date), where an age edge matters."""
    second_case: CasePlan | None = None
    """A later early help case of the same household (same family_ref, same members)."""


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    fails: tuple[int, ...]
    build: Callable[[], CasePlan]
    shape: HouseholdShape = HouseholdShape()
    requires: tuple[str, ...] = ()
    reclaim: bool = False
    second_fails: tuple[int, ...] = ()
    """The gates the household's second case fails (CasePlan.second_case), if it has one."""


@dataclass(frozen=True)
class WorklistScenario:
    """A family the identification worklist must list, or a look-alike it must not.

    `needs` are the (criterion, member) its data shows in the worklist's window; `listed`
    says whether the worklist lists the family (sample_data/scenarios/worklist.py says why
    for each look-alike). A look-alike known to early help has its `case`, planted and
    decided like any other scenario's (truth/expected_decisions.csv).
    """

    name: str
    description: str
    build: Callable[[], CasePlan]
    needs: tuple[tuple[str, str], ...]
    shape: HouseholdShape = HouseholdShape()
    listed: bool = True
    case: Scenario | None = None


# --- event helpers -----------------------------------------------------------------------


def police(member: str, day: date, event_type: str, severe: bool = False) -> Event:
    return Event(
        "police", member, day, {"event_type": event_type, "severe_offence": str(severe).lower()}
    )


def housing(member: str, day: date, event_type: str, amount: int | None = None) -> Event:
    return Event("housing", member, day, {"event_type": event_type, "amount": amount})


def exclusion(member: str, day: date, days_lost: float) -> Event:
    return Event("exclusions", member, day, {"category": "suspension", "days_lost": days_lost})


def csc_plan(member: str, start: date, end: date | None, plan_type: str = "cin") -> Event:
    return Event("csc", member, start, {"plan_type": plan_type, "end_date": end})


def months(start: date, end: date) -> list[date]:
    """First days of the months from start to end, inclusive."""
    out, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        out.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def dwp(member: str, start: date, end: date, status: str) -> list[Event]:
    return [
        Event("dwp", member, day, {"benefit": "universal_credit", "work_status": status})
        for day in months(start, end)
    ]


def neet(member: str, start: date, end: date, status: str) -> list[Event]:
    return [Event("neet", member, day, {"status": status}) for day in months(start, end)]


def incidents_before_opening(member: str, count: int, kinds: tuple[str, ...]) -> list[Event]:
    """`count` incidents spread over the 12 months before the case opened (the baseline)."""
    step = 330 // max(count, 1)
    return [
        police(member, date.fromordinal(date(2022, 10, 20).toordinal() + i * step), kinds[i % 3])
        for i in range(count)
    ]


# --- base cases --------------------------------------------------------------------------


def base() -> CasePlan:
    return CasePlan(
        needs=[
            ("MPH2", "adult", IDENTIFIED, ACHIEVED),
            ("REL1", None, IDENTIFIED, ACHIEVED),
            ("FIN2", None, IDENTIFIED, ACHIEVED),
        ]
    )


def edu1(improved: bool) -> Attendance:
    later = GOOD_ATTENDANCE if improved else 0.85
    return {
        ("2023/24", "autumn"): EDU1_LEVEL,
        ("2023/24", "spring"): EDU1_LEVEL,
        ("2023/24", "summer"): 0.93,
        ("2024/25", "autumn"): later,
        ("2024/25", "spring"): later,
        ("2024/25", "summer"): later,
    }


def edu2(improved: bool = True) -> Attendance:
    return {
        ("2023/24", "autumn"): EDU2_LEVEL,
        ("2023/24", "spring"): EDU2_LEVEL,
        ("2023/24", "summer"): 0.45,
        ("2024/25", "autumn"): 0.55 if improved else 0.44,
        ("2024/25", "spring"): 0.60 if improved else 0.45,
        ("2024/25", "summer"): 0.62 if improved else 0.46,
    }


def edge_attendance(identify: tuple[tuple[int, int], tuple[int, int]], later: Attendance):
    """Identify on an exact pair of terms in 2023/24, then `later` terms in 2024/25."""
    return {
        ("2023/24", "autumn"): identify[0],
        ("2023/24", "spring"): identify[1],
        ("2023/24", "summer"): 0.55 if identify[0][1] * 2 >= identify[0][0] else 0.93,
        **later,
    }


def replace_need(plan: CasePlan, code: str, outcome: date | None) -> CasePlan:
    plan.needs = [(c, m, i, outcome if c == code else o) for c, m, i, o in plan.needs]
    return plan


def with_(**changes: object) -> Callable[[], CasePlan]:
    def build() -> CasePlan:
        plan = base()
        for key, value in changes.items():
            setattr(plan, key, value)
        return plan

    return build


GATE_NAMES = {
    1: "dependent child or expectant parent",
    2: "needs span 3+ headline outcomes",
    3: "whole family approach",
    4: "every need has its outcome met",
    5: "closed 6+ months, no accepted re-referral",
    6: "attendance regression check",
    7: "once per intervention; re-claims only as Chapter 5 allows",
}

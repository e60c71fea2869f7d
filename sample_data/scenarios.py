"""Planted early help cases, each built to pass or fail known claim gates.

The expected decision of a case comes from how its scenario is built (the `fails` field),
never from the pipeline's rule code: this file is the test oracle for SPEC sections 2-4.
`requires` names what a pipeline must implement to decide the case right: the derived
criteria whose data the scenario plants (SPEC section 2 "derived from data? yes/partly"),
`gate6`, `gate7` and `historic_import` (reading OUT/historic_claims.csv).

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


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    fails: tuple[int, ...]
    build: Callable[[], CasePlan]
    shape: HouseholdShape = HouseholdShape()
    requires: tuple[str, ...] = ()
    reclaim: bool = False


@dataclass(frozen=True)
class WorklistScenario:
    """A family with needs in the data and no early help case (identification worklist)."""

    name: str
    description: str
    build: Callable[[], CasePlan]
    needs: tuple[tuple[str, str], ...]
    shape: HouseholdShape = HouseholdShape()


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


def _base() -> CasePlan:
    return CasePlan(
        needs=[
            ("MPH2", "adult", IDENTIFIED, ACHIEVED),
            ("REL1", None, IDENTIFIED, ACHIEVED),
            ("FIN2", None, IDENTIFIED, ACHIEVED),
        ]
    )


def _edu1(improved: bool) -> Attendance:
    later = GOOD_ATTENDANCE if improved else 0.85
    return {
        ("2023/24", "autumn"): EDU1_LEVEL,
        ("2023/24", "spring"): EDU1_LEVEL,
        ("2023/24", "summer"): 0.93,
        ("2024/25", "autumn"): later,
        ("2024/25", "spring"): later,
        ("2024/25", "summer"): later,
    }


def _edu2(improved: bool = True) -> Attendance:
    return {
        ("2023/24", "autumn"): EDU2_LEVEL,
        ("2023/24", "spring"): EDU2_LEVEL,
        ("2023/24", "summer"): 0.45,
        ("2024/25", "autumn"): 0.55 if improved else 0.44,
        ("2024/25", "spring"): 0.60 if improved else 0.45,
        ("2024/25", "summer"): 0.62 if improved else 0.46,
    }


def _edge_attendance(identify: tuple[tuple[int, int], tuple[int, int]], later: Attendance):
    """Identify on an exact pair of terms in 2023/24, then `later` terms in 2024/25."""
    return {
        ("2023/24", "autumn"): identify[0],
        ("2023/24", "spring"): identify[1],
        ("2023/24", "summer"): 0.55 if identify[0][1] * 2 >= identify[0][0] else 0.93,
        **later,
    }


def _replace_need(plan: CasePlan, code: str, outcome: date | None) -> CasePlan:
    plan.needs = [(c, m, i, outcome if c == code else o) for c, m, i, o in plan.needs]
    return plan


def _with(**changes: object) -> Callable[[], CasePlan]:
    def build() -> CasePlan:
        plan = _base()
        for key, value in changes.items():
            setattr(plan, key, value)
        return plan

    return build


def _edu_case(attendance: Attendance, other: str) -> Callable[[], CasePlan]:
    def build() -> CasePlan:
        plan = _base()
        plan.needs = [n for n in plan.needs if n[0] in ("MPH2", other)]
        plan.attendance = attendance
        return plan

    return build


def _late_need(met: bool) -> Callable[[], CasePlan]:
    def build() -> CasePlan:
        plan = _base()
        plan.needs.append(("SUB1", "adult", date(2024, 6, 1), ACHIEVED if met else None))
        return plan

    return build


def _two_headlines() -> CasePlan:
    plan = _base()
    plan.needs = [
        ("REL1", None, IDENTIFIED, ACHIEVED),
        ("REL2", None, IDENTIFIED, ACHIEVED),
        ("MPH2", "adult", IDENTIFIED, ACHIEVED),
    ]
    return plan


def _expectant() -> CasePlan:
    plan = _base()
    plan.needs = [
        ("EYD1", "adult", IDENTIFIED, ACHIEVED),
        ("MPH2", "adult", IDENTIFIED, ACHIEVED),
        ("FIN2", None, IDENTIFIED, ACHIEVED),
    ]
    plan.roles = {"adult": "expectant_parent"}
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


# --- one criterion at a time -------------------------------------------------------------

HEADLINE = {
    **dict.fromkeys(("EDU1", "EDU2", "EDU3", "EDU4"), "EDU"),
    **dict.fromkeys(("EYD1", "EYD2", "EYD3"), "EYD"),
    **dict.fromkeys(("MPH1", "MPH2", "MPH3"), "MPH"),
    **dict.fromkeys(("SUB1", "SUB2"), "SUB"),
    **dict.fromkeys(("REL1", "REL2", "REL3", "REL4"), "REL"),
    **dict.fromkeys(("SAF1", "SAF2", "SAF3", "SAF4", "SAF5", "SAF6"), "SAF"),
    **dict.fromkeys(("CRI1", "CRI2", "CRI3"), "CRI"),
    **dict.fromkeys(("DA1", "DA2", "DA3"), "DA"),
    **dict.fromkeys(("HOU1", "HOU2", "HOU3"), "HOU"),
    **dict.fromkeys(("FIN1", "FIN2", "FIN3"), "FIN"),
}
FILLERS = (("REL1", None), ("MPH2", "adult"), ("SUB1", "adult"))
"""Recorded, met needs that bring a one-criterion case to three headlines."""

RECORDED_MEMBER: dict[str, str | None] = {
    "EDU4": "child",
    "EYD1": "adult",
    "EYD2": "baby",
    "EYD3": "baby",
    "MPH1": "child",
    "MPH2": "adult",
    "MPH3": None,
    "SUB1": "adult",
    "SUB2": "youth",
    "REL1": None,
    "REL2": None,
    "REL3": "child",
    "REL4": "child",
    "SAF5": "youth",
    "SAF6": "child",
    "CRI2": "youth",
}
"""Criteria SPEC section 2 takes from the case record only, and whom the need is about."""

YOUTH = HouseholdShape(adults=2, school_children=1, young_people=1, youth_age=16)
OLDER_YOUTH = HouseholdShape(adults=2, school_children=1, young_people=1, youth_age=18)
BABY = HouseholdShape(adults=2, school_children=1, young_children=1, young_child_age=2)
SHAPES = {
    "youth": YOUTH,
    "baby": BABY,
    "HOU3": OLDER_YOUTH,
    "FIN3": OLDER_YOUTH,
}


def _fillers(code: str) -> list[tuple[str, str | None, date, date | None]]:
    chosen = [f for f in FILLERS if HEADLINE[f[0]] != HEADLINE[code]][:2]
    return [(c, m, IDENTIFIED, ACHIEVED) for c, m in chosen]


def _recorded(code: str, met: bool) -> Callable[[], CasePlan]:
    def build() -> CasePlan:
        plan = CasePlan(needs=_fillers(code))
        plan.needs.append((code, RECORDED_MEMBER[code], IDENTIFIED, ACHIEVED if met else None))
        return plan

    return build


def _plant_derived(plan: CasePlan, code: str, met: bool) -> None:
    """The data that makes `code` a need while the case is open, and meets it or not."""
    later = date(2024, 2, 12)
    if code == "EDU1":
        plan.attendance = _edu1(met)
    elif code == "EDU2":
        plan.attendance = _edu2(met)
    elif code == "EDU3":
        # Baseline 6 days (3 before opening, 3 while open); 7 days in the last 2 terms
        # before the claim when not met: not fewer under either reading of "2 terms before".
        plan.events += [
            exclusion("child", date(2023, 5, 10), 3),
            exclusion("child", date(2023, 10, 16), 3),
        ]
        if not met:
            plan.events += [
                exclusion("child", date(2025, 2, 10), 3),
                exclusion("child", date(2025, 5, 12), 4),
            ]
    elif code in ("CRI1", "CRI3"):
        member = "adult" if code == "CRI1" else "youth"
        plan.events += incidents_before_opening(member, 3, ("offence", "arrest", "asb"))
        if not met:
            plan.events.append(police(member, LATEST_SIX_MONTHS[1], "asb"))
    elif code in ("SAF2", "SAF3", "SAF4", "DA1", "DA2", "DA3"):
        member, kind = {
            "SAF2": ("child", "missing_episode"),
            "SAF3": ("youth", "cse_concern"),
            "SAF4": ("youth", "cce_concern"),
            "DA1": ("adult", "da_victim"),
            "DA2": ("partner", "da_perpetrator"),
            "DA3": ("child", "da_child_present"),
        }[code]
        plan.events.append(police(member, later, kind))
        # SAF2 and DA1-3 need no event in the month before closure and a recorded outcome:
        # not met = an event in that month, though the practitioner recorded an outcome.
        # SAF3/SAF4 are met by a recorded outcome only: not met = none recorded.
        if code in ("SAF3", "SAF4"):
            if met:
                plan.outcomes.append((code, member, ACHIEVED))
        else:
            plan.outcomes.append((code, member, ACHIEVED))
            if not met:
                plan.events.append(police(member, MONTH_BEFORE_CLOSURE, kind))
    elif code == "SAF1":
        plan.events.append(csc_plan("child", date(2023, 11, 20), date(2024, 9, 30)))
        if met:
            plan.outcomes.append((code, "child", ACHIEVED))
    elif code in ("HOU1", "HOU2", "HOU3", "FIN2"):
        member, kind, amount = {
            "HOU1": ("adult", "ta_at_risk", None),
            "HOU2": ("adult", "notice_served", None),
            "HOU3": ("youth", "excluded_from_home", None),
            "FIN2": ("adult", "rent_arrears", 850),
        }[code]
        plan.events.append(housing(member, later, kind, amount))
        if met:
            plan.outcomes.append((code, member, ACHIEVED))
    elif code == "FIN1":
        if met:
            plan.events += dwp("adult", date(2023, 10, 1), date(2024, 6, 1), "out_of_work")
            plan.events += dwp("adult", date(2024, 7, 1), date(2025, 9, 1), "in_work")
        else:
            plan.events += dwp("adult", date(2023, 10, 1), date(2025, 9, 1), "out_of_work")
    elif code == "FIN3":
        if met:
            plan.events += neet("youth", date(2023, 10, 1), date(2024, 6, 1), "neet")
            plan.events += neet("youth", date(2024, 7, 1), date(2025, 9, 1), "eet")
        else:
            plan.events += neet("youth", date(2023, 10, 1), date(2025, 9, 1), "neet")
    else:
        raise ValueError(f"no data plant for {code}")


def _derived(code: str, met: bool) -> Callable[[], CasePlan]:
    def build() -> CasePlan:
        plan = CasePlan(needs=_fillers(code))
        _plant_derived(plan, code, met)
        return plan

    return build


DERIVED = (
    "EDU1", "EDU2", "EDU3", "SAF1", "SAF2", "SAF3", "SAF4", "CRI1", "CRI3",
    "DA1", "DA2", "DA3", "HOU1", "HOU2", "HOU3", "FIN1", "FIN2", "FIN3",
)  # fmt: skip
"""SPEC section 2 criteria found in data (yes or partly)."""
DERIVED_MEMBER = {
    "EDU1": "child", "EDU2": "child", "EDU3": "child", "SAF1": "child", "SAF2": "child",
    "SAF3": "youth", "SAF4": "youth", "CRI1": "adult", "CRI3": "youth", "DA1": "adult",
    "DA2": "partner", "DA3": "child", "HOU1": "adult", "HOU2": "adult", "HOU3": "youth",
    "FIN1": "adult", "FIN2": "adult", "FIN3": "youth",
}  # fmt: skip


def _criterion_scenarios() -> list[Scenario]:
    out = []
    for code in HEADLINE:
        derived = code in DERIVED
        member = DERIVED_MEMBER[code] if derived else RECORDED_MEMBER[code]
        shape = SHAPES.get(code) or SHAPES.get(member or "", HouseholdShape())
        for met in (True, False):
            fails: tuple[int, ...] = () if met else (4,)
            requires: tuple[str, ...] = (code,) if derived else ()
            if code in ("EDU1", "EDU2") and not met:
                fails = (4, 6)
                requires = (code, "gate6")
            how = "found in data" if derived else "recorded on the case"
            out.append(
                Scenario(
                    f"{'pass' if met else 'fail'}_criterion_{code.lower()}",
                    f"{code} {how}, {'met' if met else 'not met'}; two recorded needs besides",
                    fails,
                    (_derived if derived else _recorded)(code, met),
                    shape,
                    requires,
                )
            )
    return out


# --- threshold edges ---------------------------------------------------------------------


def _crime_edge(member: str, baseline: int, later: int, severe: bool = False):
    def build() -> CasePlan:
        plan = CasePlan(needs=_fillers("CRI1"))
        plan.events += incidents_before_opening(member, baseline, ("offence", "arrest", "asb"))
        for i in range(later):
            plan.events.append(police(member, LATEST_SIX_MONTHS[i], "offence", severe))
        return plan

    return build


def _attendance_edge(identify, later: Attendance) -> Callable[[], CasePlan]:
    def build() -> CasePlan:
        plan = CasePlan(needs=_fillers("EDU1"))
        plan.attendance = _edge_attendance(identify, later)
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
        plan = CasePlan(needs=_fillers("CRI1"))
        plan.events.append(police("adult", date(2024, 5, 10), "offence"))
        if not met:
            plan.events.append(police("adult", LATEST_SIX_MONTHS[0], "arrest"))
        return plan

    return build


def _reclaim(
    months_before: int, adults_changed: bool = False, former_child: bool = False
) -> Callable[[], CasePlan]:
    def build() -> CasePlan:
        opened = date(2024, 1, 8)
        plan = CasePlan(opened=opened, assessment=date(2024, 1, 22), action_plan=date(2024, 2, 1))
        plan.needs = [(c, m, date(2024, 1, 22), o) for c, m, _, o in _base().needs]
        plan.prior_claim = PriorClaim(months_before, adults_changed, former_child)
        return plan

    return build


# The first scenarios are the walking skeleton's (other tests look them up by name); keep
# their order so a small sample still plants them.
SCENARIOS: tuple[Scenario, ...] = (
    Scenario("pass_three_headlines", "three recorded needs, all met", (), _base),
    Scenario(
        "pass_edu1_improved",
        "EDU1 from attendance, improved to 96%",
        (),
        _edu_case(_edu1(True), "REL1"),
        requires=("EDU1",),
    ),
    Scenario(
        "pass_edu2_improved",
        "EDU2 from attendance, 41% to 61%",
        (),
        _edu_case(_edu2(), "FIN2"),
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
        requires=("EDU1", "gate6"),
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
        "the only young person is 19: no dependent child",
        (1,),
        _base,
        HouseholdShape(adults=2, school_children=0, young_people=1, youth_age=19),
    ),
    Scenario("fail_gate3_no_action_plan", "no action plan date", (3,), _with(action_plan=None)),
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
        HouseholdShape(adults=1, school_children=0, young_children=1, adult_age=19),
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
    # Threshold edges.
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
        _with(closed=date(2025, 3, 30), referral=(date(2025, 3, 29), True)),
    ),
    Scenario(
        "fail_edge_rereferral_day_after",
        "closed as-of minus 6 months; accepted referral the day after closure",
        (5,),
        _with(closed=date(2025, 3, 30), referral=(date(2025, 3, 31), True)),
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
    *_criterion_scenarios(),
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

GATE_NAMES = {
    1: "dependent child or expectant parent",
    2: "needs span 3+ headline outcomes",
    3: "whole family approach",
    4: "every need has its outcome met",
    5: "closed 6+ months, no accepted re-referral",
    6: "attendance regression check",
    7: "not already claimed",
}

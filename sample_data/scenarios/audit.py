"""Planted cases for the second reading of the guidance (issue 23): each decided one way by
the seed sentence named in its description.

They come after every other scenario, so a sample too small to plant them all keeps the
others' household numbers. Items that change nothing under the national plan the sample
is decided with (Milton Keynes SAF1 and SAF5, items 6 and 7), that the sample's feeds
cannot show (a member who links to no one, item 2; an uncertain pair, item 10) or that
apply to every case at once (feed coverage, item 3) are pinned by the given/expected
cases under tests/ instead.
"""

from __future__ import annotations

from datetime import date

from sample_data.scenarios.criteria import YOUTH, fillers
from sample_data.scenarios.model import (
    ACHIEVED,
    CLOSED,
    IDENTIFIED,
    STRANGER,
    CasePlan,
    Event,
    Scenario,
    base,
    dwp,
    exclusion,
    housing,
    police,
)

LATER_IDENTIFIED = date(2024, 2, 12)


def _stranger_need() -> CasePlan:
    """Item 5: two headlines of the family's own, and a SUB1 need and outcome recorded for
    someone who is not a member of the case: it counts for nothing."""
    plan = CasePlan(needs=fillers("SUB1"))
    plan.needs.append(("SUB1", STRANGER, IDENTIFIED, ACHIEVED))
    return plan


def _hou2_notice_stands() -> CasePlan:
    """Item 4: HOU2 found from a notice served while the case was open; the outcome is
    recorded but the notice was never withdrawn, suspended or followed by a move."""
    plan = CasePlan(needs=fillers("HOU2"))
    plan.events.append(housing("adult", LATER_IDENTIFIED, "notice_served"))
    plan.outcomes.append(("HOU2", "adult", ACHIEVED))
    return plan


def _hou1_duty_owed() -> CasePlan:
    """Item 4: HOU1; temporary accommodation ended and a homelessness duty is owed: neither
    sustained temporary accommodation nor a move into settled housing."""
    plan = CasePlan(needs=fillers("HOU1"))
    plan.events += [
        housing("adult", LATER_IDENTIFIED, "ta_at_risk"),
        housing("adult", date(2024, 8, 1), "ta_ended"),
        housing("adult", date(2024, 8, 5), "homelessness_duty_owed"),
    ]
    plan.outcomes.append(("HOU1", "adult", ACHIEVED))
    return plan


def _fin1_out_of_work_at_closure() -> CasePlan:
    """Item 13: FIN1 from DWP data; in work for four months mid-case, out of work again
    from September 2024 to closure; no progress to work recorded."""
    plan = CasePlan(needs=fillers("FIN1"))
    plan.events += (
        dwp("adult", date(2023, 10, 1), date(2024, 4, 1), "out_of_work")
        + dwp("adult", date(2024, 5, 1), date(2024, 8, 1), "in_work")
        + dwp("adult", date(2024, 9, 1), date(2024, 12, 1), "out_of_work")
    )
    return plan


def _edu3_permanent_exclusion() -> CasePlan:
    """Item 8: EDU3 from a suspension in the opening term (3 days); in the latest 2 terms a
    permanent exclusion recorded as half a day lost: fewer days, but no improvement (and no
    recorded outcome to stand instead)."""
    plan = CasePlan(needs=fillers("EDU3"))
    plan.events += [
        exclusion("child", date(2023, 9, 18), 3),
        Event(
            "exclusions", "child", date(2025, 5, 12), {"category": "permanent", "days_lost": 0.5}
        ),
    ]
    return plan


def _saf4_recorded_before_report() -> CasePlan:
    """Item 11: SAF4 recorded by the practitioner in October 2023; the first CCE police
    report came in February 2024 and none since: that report identified the need."""
    plan = CasePlan(needs=fillers("SAF4"))
    plan.needs.append(("SAF4", "youth", IDENTIFIED, ACHIEVED))
    plan.events.append(police("youth", LATER_IDENTIFIED, "cce_concern"))
    return plan


def _new_case_on_closure_day() -> CasePlan:
    """Item 12: a new early help case opened for the family on the day this one closed."""
    plan = base()
    plan.second_case = CasePlan(
        opened=CLOSED,
        assessment=date(2024, 12, 20),
        action_plan=date(2025, 1, 6),
        closed=None,
        needs=[],
    )
    return plan


AUDIT_SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "fail_gate2_need_of_someone_not_on_the_case",
        "SUB1 need and outcome recorded for someone not a member of the case count for "
        "nothing: two headlines (SPEC section 3; 000 'a minimum of three family needs')",
        (2,),
        _stranger_need,
    ),
    Scenario(
        "fail_hou2_identifying_notice_not_withdrawn",
        "HOU2: the notice that identified the need was never withdrawn (001: '*Notice not "
        "served or withdrawn')",
        (4,),
        _hou2_notice_stands,
        requires=("HOU2",),
    ),
    Scenario(
        "fail_hou1_ta_ended_duty_owed",
        "HOU1: TA ended and a homelessness duty owed is neither sustained TA nor settled "
        "housing (001: 'have sustained temporary accommodation for 6 months or have moved "
        "into settled housing')",
        (4,),
        _hou1_duty_owed,
        requires=("HOU1",),
    ),
    Scenario(
        "fail_fin1_out_of_work_at_closure",
        "FIN1: in work mid-case, out of work again at closure, no progress recorded (000: "
        "'All outcomes must be achieved and evidenced at case closure')",
        (4,),
        _fin1_out_of_work_at_closure,
        requires=("FIN1",),
    ),
    Scenario(
        "fail_edu3_permanent_exclusion",
        "EDU3: a permanent exclusion in the 2 terms before the claim is no improvement "
        "(001: 'Fewer days lost to suspension and exclusion')",
        (4,),
        _edu3_permanent_exclusion,
        requires=("EDU3",),
    ),
    Scenario(
        "pass_saf4_first_report_identified_it",
        "SAF4 recorded before the first CCE report: that report identified the need, none "
        "since (001: 'No more police reports')",
        (),
        _saf4_recorded_before_report,
        YOUTH,
        requires=("SAF4",),
    ),
    Scenario(
        "fail_gate5_new_case_on_closure_day",
        "a new early help case opened for the family on the closure date is a re-referral "
        "(000: 'no accepted re-referral ... for a minimum of six months since closure')",
        (5,),
        _new_case_on_closure_day,
        second_fails=(2, 4, 5),
    ),
)

"""Planted cases for the rules an auditor checks (issue 12): each built to be decided one way
by the sentence of the source documents that decides it, named in its description.

Items 13 (EDU2 on all absence whatever the EDU1 setting) and the Milton Keynes parts of
items 8 and 12 change nothing under the national plan the sample is decided with, and
item 15 (periods submitted in order) is a ledger refusal, not a case's decision: those are
pinned by the given/expected cases (tests/indicators/cases, tests/claims) instead.
"""

from __future__ import annotations

from datetime import date

from sample_data.population import HouseholdShape
from sample_data.scenarios.criteria import OLDER_YOUTH, YOUTH, fillers
from sample_data.scenarios.model import (
    ACHIEVED,
    IDENTIFIED,
    LATEST_SIX_MONTHS,
    CasePlan,
    PriorClaim,
    Scenario,
    base,
    csc_plan,
    housing,
    incidents_before_opening,
    police,
)

LATER_IDENTIFIED = date(2024, 2, 12)


def _two_cases_one_family() -> CasePlan:
    """Item 1: the family's first case closes 2024-03-29; a second opens 2024-10-01 (more
    than 6 months later, so no re-referral) and closes 2025-03-30. Both pass every other
    gate: the first to close is claimed, the second names it."""
    first = CasePlan(
        opened=date(2023, 2, 1),
        assessment=date(2023, 2, 10),
        action_plan=date(2023, 2, 15),
        closed=date(2024, 3, 29),
        needs=[(c, m, date(2023, 2, 10), date(2024, 3, 1)) for c, m, _, _ in base().needs],
    )
    first.second_case = CasePlan(
        opened=date(2024, 10, 1),
        assessment=date(2024, 10, 10),
        action_plan=date(2024, 10, 15),
        closed=date(2025, 3, 30),
        needs=[(c, m, date(2024, 10, 10), date(2025, 3, 1)) for c, m, _, _ in base().needs],
    )
    return first


def _new_case_after_closure() -> CasePlan:
    """Item 7: a new early help case opened for the family 11 weeks after closure."""
    plan = base()
    plan.second_case = CasePlan(
        opened=date(2025, 3, 3),
        assessment=date(2025, 3, 10),
        action_plan=date(2025, 3, 17),
        closed=None,
        needs=[],
    )
    return plan


def _reclaim_support_long_ago() -> CasePlan:
    """Item 2: the family was claimed 27 months ago; this case's support ended 25 months
    before the as-of date, so it is no re-claim of a family "recently worked with"."""
    plan = CasePlan(
        opened=date(2022, 10, 3),
        assessment=date(2022, 10, 20),
        action_plan=date(2022, 11, 1),
        closed=date(2023, 8, 31),
        needs=[(c, m, date(2022, 10, 20), date(2023, 8, 1)) for c, m, _, _ in base().needs],
    )
    plan.prior_claim = PriorClaim(27)
    return plan


def _reclaim_unlinked_only() -> CasePlan:
    """Item 2: claimed 8 months ago with an adult who links to no one now; the people who
    do link are the same: no evidence of change, a question for clerical review."""
    opened = date(2024, 1, 8)
    plan = CasePlan(opened=opened, assessment=date(2024, 1, 22), action_plan=date(2024, 2, 1))
    plan.needs = [(c, m, date(2024, 1, 22), o) for c, m, _, o in base().needs]
    plan.prior_claim = PriorClaim(8, unlinked_extra=True)
    return plan


def _sub1_two_adults_one_outcome() -> CasePlan:
    """Item 3: both adults have SUB1; the outcome recorded names only one of them."""
    plan = CasePlan(needs=fillers("SUB1"))
    plan.needs += [
        ("SUB1", "adult", IDENTIFIED, ACHIEVED),
        ("SUB1", "partner", IDENTIFIED, None),
    ]
    return plan


def _outcome_after_closure() -> CasePlan:
    """Item 4: FIN2's outcome is dated after the case closed (and before the as-of date)."""
    plan = base()
    plan.needs = [(c, m, i, date(2025, 1, 10) if c == "FIN2" else o) for c, m, i, o in plan.needs]
    return plan


def _need_after_closure() -> CasePlan:
    """Item 4: the third headline's need was recorded only after the case closed."""
    plan = base()
    plan.needs = [(c, m, date(2025, 1, 10) if c == "FIN2" else i, o) for c, m, i, o in plan.needs]
    plan.needs = [(c, m, i, date(2025, 1, 20) if c == "FIN2" else o) for c, m, i, o in plan.needs]
    return plan


def _cri2_police_test() -> CasePlan:
    """Item 5: CRI2 recorded for the young person, no outcome recorded, no offence, arrest,
    named suspect report or ASB in the latest 6 months: the police test meets it."""
    plan = CasePlan(needs=fillers("CRI2"))
    plan.needs.append(("CRI2", "youth", IDENTIFIED, None))
    return plan


def _cri3_after_18() -> CasePlan:
    """Item 5: CRI3 from 5 incidents before opening; the young person turns 18 on
    2025-03-01 and has 2 more in the latest 6 months, which still count (at most 1.25)."""
    plan = CasePlan(needs=fillers("CRI3"), dobs={"youth": date(2007, 3, 1)})
    plan.events += incidents_before_opening("youth", 5, ("offence", "arrest", "asb"))
    plan.events += [police("youth", day, "asb") for day in LATEST_SIX_MONTHS[:2]]
    return plan


def _da1_referral_after_closure() -> CasePlan:
    """Item 6: DA1 met by the police test and a recorded outcome, but a member was referred
    into services (not accepted) two months after closure."""
    plan = CasePlan(needs=fillers("DA1"))
    plan.events.append(police("adult", LATER_IDENTIFIED, "da_victim"))
    plan.outcomes.append(("DA1", "adult", ACHIEVED))
    plan.referral = (date(2025, 2, 17), False)
    return plan


def _saf3_more_reports() -> CasePlan:
    """Item 8: SAF3 with a recorded outcome, but another CSE report after identification."""
    plan = CasePlan(needs=fillers("SAF3"))
    plan.events += [
        police("youth", LATER_IDENTIFIED, "cse_concern"),
        police("youth", date(2024, 9, 20), "cse_concern"),
    ]
    plan.outcomes.append(("SAF3", "youth", ACHIEVED))
    return plan


def _hou1_contradicted() -> CasePlan:
    """Item 9: HOU1 with a recorded outcome, then a new TA at-risk event in the 6 months
    before the claim."""
    plan = CasePlan(needs=fillers("HOU1"))
    plan.events += [
        housing("adult", LATER_IDENTIFIED, "ta_at_risk"),
        housing("adult", date(2025, 5, 12), "ta_at_risk"),
    ]
    plan.outcomes.append(("HOU1", "adult", ACHIEVED))
    return plan


def _reception_child() -> CasePlan:
    """Item 11: the school child is 5 on 15 January 2025, of compulsory school age only from
    the summer term: a poor spring term (as a Reception pupil) is not judged."""
    plan = base()
    plan.dobs = {"child": date(2020, 1, 15)}
    plan.attendance = {("2024/25", "spring"): 0.6}
    return plan


def _saf1_stepped_down() -> CasePlan:
    """Item 12: a child protection plan stepped down to a child in need plan still open at
    closure, with a practitioner-assessed outcome."""
    plan = CasePlan(needs=fillers("SAF1"))
    plan.events += [
        csc_plan("child", date(2023, 11, 20), date(2024, 9, 30), "cp"),
        csc_plan("child", date(2024, 9, 30), None, "cin"),
    ]
    plan.outcomes.append(("SAF1", "child", ACHIEVED))
    return plan


def _crime_rose_during_case() -> CasePlan:
    """Item 14: CRI1 first shown by an offence 4 months after opening, then 7 more during
    the case and one in the latest 6 months: the baseline is the 1 up to identification,
    so none is allowed (a rise during the case is not rewarded)."""
    plan = CasePlan(needs=fillers("CRI1"))
    plan.events += [police("adult", date(2024, month, 5), "offence") for month in range(2, 10)] + [
        police("adult", LATEST_SIX_MONTHS[1], "asb")
    ]
    return plan


def _young_person_while_open() -> CasePlan:
    """Item 10: the only young person was 17 when the case opened and is 19 at the claim."""
    plan = base()
    plan.dobs = {"youth": date(2006, 6, 1)}
    return plan


ADULTS_AND_YOUTH = HouseholdShape(adults=2, school_children=0, young_people=1, youth_age=19)

RULE_SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "pass_first_to_close_of_two_family_cases",
        "two cases of one family pass in one period: the first to close is claimed, the "
        "second names it (000 'Reclaiming for families'; SPEC section 4)",
        (),
        _two_cases_one_family,
        requires=("gate7",),
        second_fails=(7,),
    ),
    Scenario(
        "fail_gate7_reclaim_support_long_ago",
        "claimed 27 months before, this case's support ended 25 months before: not 'support "
        "ongoing in the last two years' (000)",
        (7,),
        _reclaim_support_long_ago,
        requires=("gate7", "historic_import"),
    ),
    Scenario(
        "fail_gate7_change_only_unlinked",
        "claimed 8 months before; the only difference is an adult of that claim who links to "
        "no one now: clerical review, not evidence of change (SPEC section 4)",
        (7,),
        _reclaim_unlinked_only,
        requires=("gate7", "historic_import"),
    ),
    Scenario(
        "fail_outcome_names_one_adult",
        "SUB1 for both adults, an outcome recorded for one (SPEC section 3: an outcome answers "
        "the need of the person it names)",
        (4,),
        _sub1_two_adults_one_outcome,
    ),
    Scenario(
        "fail_outcome_after_closure",
        "FIN2's outcome dated after closure (000: 'All outcomes must be achieved and "
        "evidenced at case closure')",
        (4,),
        _outcome_after_closure,
    ),
    Scenario(
        "fail_need_after_closure",
        "the third headline's need recorded after closure does not count (SPEC section 3)",
        (2,),
        _need_after_closure,
    ),
    Scenario(
        "pass_cri2_police_test",
        "CRI2 met by no offence, arrest, named suspect or ASB for 6 months, engagement "
        "'(Supplementary)' (001)",
        (),
        _cri2_police_test,
        YOUTH,
    ),
    Scenario(
        "fail_cri3_incidents_after_18",
        "CRI3 incidents keep counting after the young person turns 18 (SPEC section 3)",
        (4,),
        _cri3_after_18,
        OLDER_YOUTH,
        requires=("CRI3",),
    ),
    Scenario(
        "fail_da1_referral_after_closure",
        "DA1: a member referred into services (not accepted) 2 months after closure: 'no "
        "referral into services for 6 months following closure' (001)",
        (4,),
        _da1_referral_after_closure,
        requires=("DA1",),
    ),
    Scenario(
        "fail_saf3_more_police_reports",
        "SAF3: a further CSE report after identification: 'No more police reports' (001)",
        (4,),
        _saf3_more_reports,
        YOUTH,
        requires=("SAF3",),
    ),
    Scenario(
        "fail_hou1_contradicted_by_housing",
        "HOU1's recorded outcome contradicted by a new TA at-risk event in the 6 months before "
        "the claim (SPEC section 3)",
        (4,),
        _hou1_contradicted,
        requires=("HOU1",),
    ),
    Scenario(
        "fail_gate5_new_case_after_closure",
        "a new early help case opened for the family 11 weeks after closure is a re-referral "
        "(SPEC section 4)",
        (5,),
        _new_case_after_closure,
        second_fails=(2, 4, 5),
    ),
    Scenario(
        "pass_gate1_child_while_open",
        "the only young person was 17 when the case opened, 19 now: a dependent child while "
        "the case was open (SPEC section 4)",
        (),
        _young_person_while_open,
        ADULTS_AND_YOUTH,
    ),
    Scenario(
        "pass_gate6_reception_child",
        "a child of compulsory school age for the summer term only is judged on it; the "
        "Reception spring term at 60% is not (SPEC section 4)",
        (),
        _reception_child,
        requires=("gate6",),
    ),
    Scenario(
        "pass_saf1_stepped_down",
        "SAF1: a CP plan stepped down to CIN, 'closed and/or stepped down' (003)",
        (),
        _saf1_stepped_down,
        requires=("SAF1",),
    ),
    Scenario(
        "fail_cri1_rise_during_case",
        "CRI1 found after opening; incidents rose during the case; the baseline is 1, so the "
        "one incident in the latest 6 months fails it (docs/interpretations.md)",
        (4,),
        _crime_rose_during_case,
        requires=("CRI1",),
    ),
)

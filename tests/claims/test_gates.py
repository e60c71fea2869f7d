"""Each claim gate failing alone, on one hand-made case that otherwise passes them all."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from tests.claims.conftest import CHILD, PARENT, Case, Person, build_council, decide, plan_with

OTHER_ADULT = Person("P2", "Dean", "Walsh", "1985-07-12")
LATEST_TERMS = [("2024/25", "spring"), ("2024/25", "summer")]


def test_the_base_case_passes_every_gate(tmp_path: Path) -> None:
    decision = decide(build_council(tmp_path, [Case()])).loc["EH1"]
    assert bool(decision["claimed"]), decision["reasons"]
    assert decision["failed_gates"] == ""
    assert decision["reclaim"] == "no"


@pytest.mark.parametrize(
    ("gate", "case", "reason"),
    [
        (
            1,
            Case(members=[(PARENT, "parent_carer"), (OTHER_ADULT, "parent_carer")]),
            "no dependent child",
        ),
        (
            2,
            Case(
                needs=[
                    ("MPH2", "P1", "2023-10-20", "2024-11-30"),
                    ("REL1", "", "2023-10-20", "2024-11-30"),
                    ("REL2", "", "2023-10-20", "2024-11-30"),
                ]
            ),
            "needs span 2 headline outcome(s) (MPH, REL); 3 needed",
        ),
        (3, Case(lead=""), "no lead practitioner"),
        (3, Case(action_plan=""), "no action plan date"),
        (
            4,
            Case(
                needs=[
                    ("MPH2", "P1", "2023-10-20", "2024-11-30"),
                    ("REL1", "", "2023-10-20", "2024-11-30"),
                    ("FIN2", "", "2023-10-20", ""),
                ]
            ),
            "outcome not met for FIN2",
        ),
        (5, Case(closed="2025-06-30"), "closed less than 6 months before"),
        (5, Case(referrals=[(CHILD, "2025-05-01", True)]), "accepted re-referral"),
        (6, Case(absent={t: 120 for t in LATEST_TERMS}), "regression check: child"),
    ],
)
def test_each_gate_failing_alone(tmp_path: Path, gate: int, case: Case, reason: str) -> None:
    decision = decide(build_council(tmp_path, [case])).loc["EH1"]
    assert not decision["claimed"]
    assert decision["failed_gates"] == str(gate)
    assert f"gate {gate}: " in decision["reasons"] and reason in decision["reasons"]


def test_gate_6_edges_and_setting(tmp_path: Path) -> None:
    # 90.0% over the latest pair passes; 89.9% fails; the setting switches the gate off.
    passing = replace(Case(), case_id="EH1", absent={t: 100 for t in LATEST_TERMS})
    failing = Case(
        case_id="EH2",
        family_ref="FAM2",
        members=[(replace(PARENT, key="P9", forename="Anna", surname="Berry"), "parent_carer"),
                 (replace(CHILD, key="C9", forename="Lily", surname="Berry",
                          upn="A000000000009"), "child")],
        needs=[("MPH2", "P9", "2023-10-20", "2024-11-30"),
               ("REL1", "", "2023-10-20", "2024-11-30"),
               ("FIN2", "", "2023-10-20", "2024-11-30")],
        absent={("2024/25", "spring"): 101, ("2024/25", "summer"): 101},
    )  # fmt: skip
    warehouse = build_council(tmp_path, [passing, failing])
    decisions = decide(warehouse)
    assert bool(decisions.loc["EH1", "claimed"]), decisions.loc["EH1", "reasons"]
    assert decisions.loc["EH2", "failed_gates"] == "6"
    assert "89.9% over 2024/25 spring + 2024/25 summer" in decisions.loc["EH2", "reasons"]
    off = decide(warehouse, plan=plan_with(tmp_path, "gates", regression_check=False))
    assert bool(off.loc["EH2", "claimed"])


def test_a_school_age_child_without_attendance_fails_gate_6(tmp_path: Path) -> None:
    no_upn = replace(CHILD, upn="")  # no attendance rows are written without a UPN
    decision = decide(
        build_council(tmp_path, [Case(members=[(PARENT, "parent_carer"), (no_upn, "child")])])
    ).loc["EH1"]
    assert decision["failed_gates"] == "6"
    assert "no attendance for the latest 2 terms" in decision["reasons"]

"""The example council plan (Milton Keynes) changes outcomes in the direction its file says.

indicators/plans/milton_keynes.yaml lists what it makes stricter than the national plan;
each case here runs once under each plan and checks both results.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from indicators.plan import PLANS_DIR, load_plan
from tests.indicators.conftest import run_case

MK_PLAN = PLANS_DIR / "milton_keynes.yaml"
CASE = {"opened": date(2024, 1, 10), "closed": date(2024, 12, 16)}
TEEN = {"parent": "parent_carer", "teen": "child"}
CRI3_ROWS = [
    {"person": "teen", "incident_id": f"T{n}", "event_date": f"2023-0{n}-01", "event_type": "asb"}
    for n in range(3, 7)
]

# (what the file says, criterion, case, met under national, met under Milton Keynes)
CHANGES: list[tuple[str, str, dict[str, Any], bool, bool]] = [
    (
        "CRI3 stricter: the crime test AND a recorded outcome",
        "CRI3",
        {"case": CASE, "members": TEEN, "rows": {"police": CRI3_ROWS}},
        True,
        False,
    ),
    (
        "CRI3 both: crime test passed and engagement with services recorded",
        "CRI3",
        {
            "case": CASE,
            "members": TEEN,
            "rows": {"police": CRI3_ROWS},
            "eh_outcomes": [
                {
                    "criterion": "CRI3",
                    "achieved_date": "2024-12-01",
                    "evidence": "service_confirmation",
                }
            ],
        },
        True,
        True,
    ),
    (
        "DA1 stricter: 'other' evidence no longer counts",
        "DA1",
        {
            "case": CASE,
            "rows": {
                "police": [
                    {
                        "person": "parent",
                        "incident_id": "D1",
                        "event_date": "2024-05-01",
                        "event_type": "da_victim",
                    }
                ]
            },
            "eh_outcomes": [
                {"criterion": "DA1", "achieved_date": "2024-12-01", "evidence": "other"}
            ],
        },
        True,
        False,
    ),
    (
        "SAF1 stricter: the CP plan must be closed by the case's closure",
        "SAF1",
        {
            "case": CASE,
            "rows": {"csc": [{"person": "child", "plan_type": "cp", "start_date": "2024-02-01"}]},
            "eh_outcomes": [
                {
                    "criterion": "SAF1",
                    "achieved_date": "2024-12-01",
                    "evidence": "practitioner_assessed",
                }
            ],
        },
        True,
        False,
    ),
    (
        "SAF1 both: plan ended before closure and practitioner assessed",
        "SAF1",
        {
            "case": CASE,
            "rows": {
                "csc": [
                    {
                        "person": "child",
                        "plan_type": "cp",
                        "start_date": "2024-02-01",
                        "end_date": "2024-10-01",
                    }
                ]
            },
            "eh_outcomes": [
                {
                    "criterion": "SAF1",
                    "achieved_date": "2024-12-01",
                    "evidence": "practitioner_assessed",
                }
            ],
        },
        True,
        True,
    ),
    (
        "SAF3 stricter: no more police reports after closure",
        "SAF3",
        {
            "case": CASE,
            "rows": {
                "police": [
                    {
                        "person": "child",
                        "incident_id": "S1",
                        "event_date": "2024-05-01",
                        "event_type": "cse_concern",
                    },
                    {
                        "person": "child",
                        "incident_id": "S2",
                        "event_date": "2025-02-01",
                        "event_type": "cse_concern",
                    },
                ]
            },
            "eh_outcomes": [
                {"criterion": "SAF3", "achieved_date": "2024-12-01", "evidence": "self_assessed"}
            ],
        },
        True,
        False,
    ),
    (
        "FIN1 stricter: a service's confirmation is not a practitioner or self assessment",
        "FIN1",
        {
            "case": CASE,
            "rows": {
                "dwp": [{"person": "parent", "month": "2024-02", "work_status": "out_of_work"}]
            },
            "eh_outcomes": [
                {
                    "criterion": "FIN1",
                    "achieved_date": "2024-12-01",
                    "evidence": "service_confirmation",
                }
            ],
        },
        True,
        False,
    ),
]


@pytest.mark.parametrize(
    ("says", "criterion", "case", "national_met", "council_met"),
    CHANGES,
    ids=[c[0] for c in CHANGES],
)
def test_council_plan_changes_the_outcome_as_it_says(
    tmp_path: Path,
    says: str,
    criterion: str,
    case: dict[str, Any],
    national_met: bool,
    council_met: bool,
) -> None:
    national = run_case(tmp_path / "national", case, None)
    council = run_case(tmp_path / "council", case, MK_PLAN)
    assert national.outcomes[criterion] is national_met, national.outcome_tests
    assert council.outcomes[criterion] is council_met, council.outcome_tests


def test_council_plan_only_tightens_what_its_header_lists() -> None:
    national, council = load_plan(), load_plan(MK_PLAN)
    header = MK_PLAN.read_text(encoding="utf-8").split("extends:")[0]
    for code in sorted(council.criteria):
        if council.outcome_logic(code) != national.outcome_logic(code):
            # every changed criterion is named in the file's own account of its changes
            family = code.rstrip("0123456789")
            assert code in header or f"{family}1-3" in header, code
    assert council.thresholds == national.thresholds

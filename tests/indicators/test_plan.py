"""The plan file: the national framework loads whole; bad council plans are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from data_contracts.feeds import CRITERION_CODES
from indicators.plan import PlanError, load_plan


def test_national_plan_has_all_34_criteria_under_10_headlines() -> None:
    plan = load_plan()
    assert sorted(plan.criteria) == sorted(CRITERION_CODES)
    assert len(plan.criteria) == 34
    assert len(plan.headlines) == 10
    assert {spec["headline"] for spec in plan.criteria.values()} == set(plan.headlines)
    assert plan.thresholds["attendance_good"] == 0.9


def test_council_plan_overrides_only_what_it_names(tmp_path: Path) -> None:
    council = tmp_path / "council.yaml"
    council.write_text(
        "extends: national\nversion: council-1\nthresholds:\n  count_authorised_absence: false\n"
    )
    plan = load_plan(council)
    assert plan.thresholds["count_authorised_absence"] is False
    assert plan.thresholds["attendance_good"] == 0.9
    assert plan.version == "council-1"
    assert plan.fingerprint != load_plan().fingerprint


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "criteria:\n  EDU9: {headline: EDU, derived: none, wording: x}\n",
            "unknown criterion EDU9",
        ),
        ("thresholds:\n  attendance_good: ninety\n", "thresholds.attendance_good must be a number"),
        ("gates:\n  regression_check: 1\n", "gates.regression_check must be true or false"),
        ("thresholds:\n  attendence_good: 0.9\n", "unknown thresholds key 'attendence_good'"),
        ("extends: scotland\n", "extends must be 'national'"),
        ("thresholds: [\n", "not valid YAML at line"),
    ],
)
def test_bad_council_plan_is_refused_with_the_key_named(
    tmp_path: Path, text: str, message: str
) -> None:
    council = tmp_path / "council.yaml"
    council.write_text(text)
    with pytest.raises(PlanError, match=message):
        load_plan(council)


def test_missing_plan_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="plan file not found"):
        load_plan(tmp_path / "nope.yaml")

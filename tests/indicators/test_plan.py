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
            "criteria and headlines are not plan settings",
        ),
        ("thresholds:\n  attendance_good: ninety\n", "thresholds.attendance_good must be a number"),
        ("gates:\n  regression_check: 1\n", "gates.regression_check must be true or false"),
        ("thresholds:\n  attendence_good: 0.9\n", "unknown thresholds key 'attendence_good'"),
        ("extends: scotland\n", "extends must be 'national'"),
        (
            "thresholds:\n  adult_incidents_low_max: '7'\n",
            "adult_incidents_low_max must be a number",
        ),
        (
            "thresholds:\n  count_authorised_absence: 'no'\n",
            "count_authorised_absence must be true",
        ),
        (
            "outcome_logic:\n  CRI9: {combine: recorded}\n",
            "outcome_logic.CRI9 names unknown criterion",
        ),
        ("outcome_logic:\n  DA1: {combine: either}\n", "outcome_logic.DA1.combine must be one of"),
        ("outcome_logic:\n  MPH1: {combine: data_or_recorded}\n", "MPH1 has no data test"),
        ("outcome_logic:\n  DA1: {evidence: [hearsay]}\n", "outcome_logic.DA1.evidence must be"),
        (
            "outcome_logic:\n  DA1: {evidence: self_assessed}\n",
            "outcome_logic.DA1.evidence must be",
        ),
        (
            "outcome_logic:\n  DA1: {combine: recorded, when: never}\n",
            "unknown key 'outcome_logic.DA1.when'",
        ),
        ("derived_in_this_release: [EDU1, EDU4]\n", "names EDU4, which no feed can derive"),
        ("derived_in_this_release: [EDU1, XYZ1]\n", "names unknown criterion XYZ1"),
        ("criteria:\n  EDU1: {headline: EDX}\n", "criteria and headlines are not plan settings"),
        ("headlines:\n  EDU: Schooling\n", "criteria and headlines are not plan settings"),
        (
            "outcome_logic:\n  SAF3: {evidence_match: most}\n",
            "outcome_logic.SAF3.evidence_match must be any or all",
        ),
        ("gates:\n  early_help_is_referral_record: 'yes'\n", "must be true or false"),
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


def test_national_plan_thresholds_reach_sql_as_named_parameters() -> None:
    """Every threshold of the plan is read by at least one SQL model as $name."""
    from indicators.runner import COMMENT, PARAMETER, SQL_DIR

    used: set[str] = set()
    for path in [*SQL_DIR.glob("*.sql"), *(SQL_DIR.parent.parent / "claims" / "sql").glob("*.sql")]:
        used |= set(PARAMETER.findall(COMMENT.sub("", path.read_text(encoding="utf-8"))))
    plan = load_plan()
    unused = (set(plan.thresholds) | set(plan.gates)) - used
    assert unused == set()
    assert {"adult_incidents_low_max", "incident_reduction", "closure_check_months"} <= used


def test_council_plan_can_turn_a_derivation_off(tmp_path: Path) -> None:
    council = tmp_path / "council.yaml"
    council.write_text("derived_in_this_release: [EDU1, EDU2]\n")
    assert load_plan(council).derived_criteria == ["EDU1", "EDU2"]

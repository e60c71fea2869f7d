"""Given/expected cases for the criteria, read from tests/indicators/cases/*.yaml.

Each case stages its rows straight into the warehouse (tests/staging.py) and derives the
indicators; `expect` is checked under the case's plan, `expect_by_plan` under each named
plan (`national`, or a shipped council plan such as `milton_keynes`).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from indicators.plan import PLANS_DIR, load_plan
from tests.indicators.conftest import CaseResult, load_cases, run_case

CASES = load_cases()


def check(result: CaseResult, expect: dict[str, Any]) -> None:
    if "needs" in expect:
        wanted = {
            (c, p, d if isinstance(d, date) else date.fromisoformat(d))
            for c, p, d in expect["needs"]
        }
        assert result.needs == wanted
    for criterion, met in expect.get("outcomes", {}).items():
        assert result.outcomes.get(criterion) == met, (criterion, result.outcome_tests)
    for criterion, text in expect.get("outcome_test", {}).items():
        assert result.outcome_tests[criterion] == text
    for criterion, status in expect.get("status", {}).items():
        assert result.status[criterion] == status, criterion


@pytest.mark.parametrize("case", CASES, ids=[f"{c['file']}: {c['name']}" for c in CASES])
def test_case(tmp_path: Path, case: dict[str, Any]) -> None:
    if "expect" in case:
        check(run_case(tmp_path, case), case["expect"])
    for plan_name, expect in case.get("expect_by_plan", {}).items():
        plan = load_plan(None if plan_name == "national" else PLANS_DIR / f"{plan_name}.yaml")
        check(run_case(tmp_path, case, plan), expect)

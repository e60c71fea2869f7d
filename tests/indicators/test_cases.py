"""Given/expected cases for every derived criterion, read from tests/indicators/cases/."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.indicators.conftest import load_cases, run_case

CASES = load_cases()


@pytest.mark.parametrize("case", CASES, ids=[f"{c['file']}: {c['name']}" for c in CASES])
def test_case(tmp_path: Path, case: dict[str, Any]) -> None:
    result = run_case(tmp_path, case)
    expect = case["expect"]
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

"""A small hand-made family case: its rows staged straight into the warehouse, then derived.

Cases in tests/indicators/cases/*.yaml name people by a short key (`child`, `teen`,
`parent`, ...), which is also their person ID (tests/staging.py); each names the rules it
pins (`rules:`, ids from indicators/criteria.yaml or claims/rules.yaml, docs/rules.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from indicators.plan import PLANS_DIR, Plan, load_plan
from indicators.runner import derive_all
from tests.staging import empty_warehouse, stage_council

CASES_DIR = Path(__file__).parent / "cases"
AS_OF = date(2025, 9, 30)


@dataclass(frozen=True)
class CaseResult:
    """What the indicator tables say about the case, people named by their keys."""

    needs: set[tuple[str, str, date]]
    outcomes: dict[str, bool]
    outcome_tests: dict[str, str]
    status: dict[str, str]
    extra: dict[str, list[tuple[Any, ...]]]


def case_plan(tmp_path: Path, plan: str | dict[str, Any] | None) -> Plan:
    """`plan:` names a shipped council plan (milton_keynes), or overrides the national one."""
    if plan is None:
        return load_plan()
    if isinstance(plan, str):
        return load_plan(PLANS_DIR / f"{plan}.yaml")
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump({"extends": "national", **plan}), encoding="utf-8")
    return load_plan(path)


def run_case(
    tmp_path: Path,
    case: dict[str, Any],
    plan: Plan | None = None,
    queries: dict[str, str] | None = None,
) -> CaseResult:
    """Stage one case from its description, derive every indicator, and read them back."""
    plan = plan or case_plan(tmp_path, case.get("plan"))
    with empty_warehouse() as con:
        stage_council(con, case)
        derive_all(con, plan, case.get("as_of", AS_OF))
        # A case may stage other cases beside it; the expectations are about EH1.
        needs = con.execute(
            "select criterion, need_person, identified_date from family_need "
            "where basis like '%data%' and case_id = 'EH1'"
        ).fetchall()
        outcomes = con.execute(
            "select criterion, bool_and(met), string_agg(outcome_test, ' | ' order by need_person) "
            "from family_need_outcome where case_id = 'EH1' group by criterion"
        ).fetchall()
        status = con.execute(
            "select criterion, status from family_criterion_status where case_id = 'EH1'"
        ).fetchall()
        extra = {name: con.execute(sql).fetchall() for name, sql in (queries or {}).items()}
    return CaseResult(
        needs=set(needs),
        outcomes={c: bool(m) for c, m, _ in outcomes},
        outcome_tests={c: t for c, _, t in outcomes},
        status=dict(status),
        extra=extra,
    )


def load_cases(folder: Path = CASES_DIR) -> list[dict[str, Any]]:
    """Every given/expected case, in file then list order."""
    cases = []
    for path in sorted(folder.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")):
            cases.append({**case, "file": path.name})
    return cases

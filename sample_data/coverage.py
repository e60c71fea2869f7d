"""Which planted cases the pipeline as built can be expected to decide right.

Each case in truth/expected_decisions.csv lists in `requires` what a pipeline must
implement to decide it right: derived criterion codes (CRI1, DA1, ...), `gate6`, `gate7`
and `historic_import`. A case whose requirements are all built is "covered": a test may
demand the pipeline agree with the truth on it. The other cases still count in the
precision and recall report, marked expected-to-fail with the issue that builds them.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

import duckdb

from indicators.plan import Plan

ALWAYS_BUILT = frozenset({"gate1", "gate2", "gate3", "gate4", "gate5", "historic_import"})
"""Gates 1-5 and the historic claims import (`sfp import-claims`, claims/historic.py);
recorded needs (eh_needs) need nothing in `requires`."""
MISSING_ISSUE = {"gate6": 7, "gate7": 7, "historic_import": 7}
"""The issue whose rule is missing when a requirement is not built (derived criteria: 6)."""
DERIVED_CRITERIA_ISSUE = 6


def gates_built(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Gates the claim model evaluates, read from `claim_gate` after a decision run."""
    rows = con.execute("select distinct gate from claim_gate").fetchall()
    return {f"gate{gate}" for (gate,) in rows}


def built_requirements(plan: Plan, extra: Iterable[str] = ()) -> frozenset[str]:
    """The plan's derived criteria, the skeleton's gates, and whatever else is built."""
    return ALWAYS_BUILT | frozenset(plan.derived_criteria) | frozenset(extra)


def requirements(text: str) -> set[str]:
    return {item for item in text.split(";") if item}


def is_covered(requires: str, built: frozenset[str]) -> bool:
    return requirements(requires) <= built


def missing_issues(requires: str, built: frozenset[str]) -> list[int]:
    """The issues whose rules this case still waits for, lowest first."""
    missing = requirements(requires) - built
    return sorted({MISSING_ISSUE.get(item, DERIVED_CRITERIA_ISSUE) for item in missing})


def decisions_matching_truth(con: duckdb.DuckDBPyConnection, truth_csv: Path) -> tuple[int, int]:
    """How many cases `claim_decision` decided as the truth expects, out of all cases.

    A decision matches when the claim and every failed gate agree with the scenario.
    """
    rows = con.execute(
        """
        with expected_decision as (select * from read_csv(?, all_varchar = true))
        select count(*) filter (
                   where (d.claimed = (e.expected_claim = 'yes'))
                     and coalesce(d.failed_gates, '')
                         = replace(coalesce(e.failed_gates, ''), ';', ',')
               ),
               count(*)
        from expected_decision e
        left join claim_decision d using (case_id)
        """,
        [str(truth_csv)],
    ).fetchall()
    return int(rows[0][0]), int(rows[0][1])


def expected_claims(truth_csv: Path) -> int:
    """Cases the sample's truth expects claimed, for the demo's 'expected' figure."""
    with truth_csv.open(newline="", encoding="utf-8") as handle:
        return sum(1 for row in csv.DictReader(handle) if row["expected_claim"] == "yes")

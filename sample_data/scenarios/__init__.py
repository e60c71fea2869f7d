"""The catalogue of planted early help cases, each built to pass or fail known claim gates.

The expected decision of a case comes from how its scenario is built (the `fails` field),
never from the pipeline's rule code: this package is the test oracle for SPEC sections 2-4.
It is split by what a scenario tests: the claim gates (gates.py, the walking skeleton's
first), threshold edges (edges.py), the rules an auditor checks (rules.py, issue 12), one
criterion at a time (criteria.py), the second reading of the rules (audit.py, issue 23,
planted last) and the identification worklist (worklist.py: its
families and look-alikes, some of them with a case of their own); the model
and its helpers are in model.py. The order below is the order a sample plants them in, so
a small sample still plants the skeleton's.
"""

from __future__ import annotations

from sample_data.scenarios.audit import AUDIT_SCENARIOS
from sample_data.scenarios.criteria import CRITERION_SCENARIOS
from sample_data.scenarios.edges import EDGE_SCENARIOS
from sample_data.scenarios.gates import GATE_SCENARIOS
from sample_data.scenarios.model import (
    AS_OF,
    GATE_NAMES,
    GOOD_ATTENDANCE,
    Attendance,
    CasePlan,
    Event,
    PriorClaim,
    Scenario,
    WorklistScenario,
)
from sample_data.scenarios.rules import RULE_SCENARIOS
from sample_data.scenarios.worklist import WORKLIST_CASE_SCENARIOS, WORKLIST_SCENARIOS

SCENARIOS: tuple[Scenario, ...] = (
    *GATE_SCENARIOS,
    *EDGE_SCENARIOS,
    *RULE_SCENARIOS,
    *CRITERION_SCENARIOS,
    *AUDIT_SCENARIOS,
)

__all__ = [
    "AS_OF",
    "GATE_NAMES",
    "GOOD_ATTENDANCE",
    "SCENARIOS",
    "WORKLIST_CASE_SCENARIOS",
    "WORKLIST_SCENARIOS",
    "Attendance",
    "CasePlan",
    "Event",
    "PriorClaim",
    "Scenario",
    "WorklistScenario",
]

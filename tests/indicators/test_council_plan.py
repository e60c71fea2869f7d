"""The example council plan (Milton Keynes) changes only what its own header says.

Its cases, each run under the national plan and the council's, are in
tests/indicators/cases/council_plan.yaml (`expect_by_plan`).
"""

from __future__ import annotations

from indicators.plan import PLANS_DIR, load_plan

MK_PLAN = PLANS_DIR / "milton_keynes.yaml"


def test_council_plan_only_tightens_what_its_header_lists() -> None:
    national, council = load_plan(), load_plan(MK_PLAN)
    header = MK_PLAN.read_text(encoding="utf-8").split("extends:")[0]
    changed = [
        code
        for code in sorted(council.criteria)
        if council.outcome_logic(code) != national.outcome_logic(code)
    ]
    for code in changed:
        # every changed criterion is named in the file's own account of its changes
        family = code.rstrip("0123456789")
        assert code in header or f"{family}1-3" in header, code
    assert {"SAF1", "SAF3", "SAF4", "SAF6", "CRI2", "CRI3", "FIN1"} <= set(changed)
    assert council.thresholds == national.thresholds

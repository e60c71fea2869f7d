"""Every gate on the sample council: every covered planted case decided as its scenario says.

A case is covered when everything its truth row `requires` is built: the plan's
`derived_in_this_release` criteria, recorded needs and the gates the claim model evaluates
(sample_data/coverage.py). The rest are scored in tests/sample_data/test_pipeline_vs_truth.py.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from claims.decide import decide_cases
from claims.historic import import_historic_claims
from indicators.plan import Plan, load_plan
from sample_data.coverage import built_requirements, gates_built, is_covered
from tests.claims.conftest import plan_with
from tests.conftest import LoadedSample


def _covered(
    loaded_sample: LoadedSample, con: duckdb.DuckDBPyConnection, plan: Plan | None = None
) -> list[dict[str, str]]:
    built = built_requirements(plan or load_plan(), gates_built(con))
    return [r for r in loaded_sample.expected() if is_covered(r["requires"], built)]


def decide_with_history(
    loaded_sample: LoadedSample, con: duckdb.DuckDBPyConnection, plan: Plan | None = None
) -> pd.DataFrame:
    """Decide as the sample's council would: with its historic claims imported, if any."""
    historic = loaded_sample.folder / "historic_claims.csv"
    plan = plan or load_plan()
    if historic.exists():
        import_historic_claims(con, historic, plan.matching["link_threshold"])
    return decide_cases(con, plan, loaded_sample.as_of)


def test_claimed_cases_match_truth_with_every_gate(
    loaded_sample: LoadedSample, sample_con: duckdb.DuckDBPyConnection
) -> None:
    decisions = decide_with_history(loaded_sample, sample_con)
    covered = _covered(loaded_sample, sample_con)
    claimed = set(decisions.loc[decisions["claimed"], "case_id"])
    ids = {row["case_id"] for row in covered}
    assert claimed & ids == {row["case_id"] for row in covered if row["expected_claim"] == "yes"}
    assert len(decisions) == len(loaded_sample.expected())
    assert len(covered) >= 40
    # The sample plants a gate 6 failure, so the two truths differ: this test can tell.
    assert any(r["expected_claim"] != r["expected_claim_gates_1_5"] for r in covered)


def test_claimed_cases_match_truth_for_gates_1_to_5_without_regression_check(
    loaded_sample: LoadedSample, sample_con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    # No historic claims imported: the ledger is empty, so gate 7 passes every case.
    plan = plan_with(tmp_path, "gates", regression_check=False)
    decisions = decide_cases(sample_con, plan, loaded_sample.as_of)
    covered = [r for r in _covered(loaded_sample, sample_con, plan) if "gate7" not in r["requires"]]
    claimed = set(decisions.loc[decisions["claimed"], "case_id"])
    ids = {row["case_id"] for row in covered}
    assert claimed & ids == {
        row["case_id"] for row in covered if row["expected_claim_gates_1_5"] == "yes"
    }


def test_each_failed_gate_is_reported(
    loaded_sample: LoadedSample, sample_con: duckdb.DuckDBPyConnection
) -> None:
    decisions = decide_with_history(loaded_sample, sample_con).set_index("case_id")
    built = gates_built(sample_con)
    for row in _covered(loaded_sample, sample_con):
        wanted = [g for g in row["failed_gates"].split(";") if g and f"gate{g}" in built]
        got = decisions.loc[row["case_id"], "failed_gates"]
        assert (got.split(",") if got else []) == wanted, row["scenario"]


def test_multiple_reasons_are_all_listed(
    loaded_sample: LoadedSample, sample_con: duckdb.DuckDBPyConnection
) -> None:
    decisions = decide_cases(sample_con, load_plan(), loaded_sample.as_of).set_index("case_id")
    case = next(r["case_id"] for r in loaded_sample.expected() if r["scenario"] == "fail_multiple")
    reasons = decisions.loc[case, "reasons"]
    assert "gate 3: no whole family assessment date" in reasons
    assert "gate 4: outcome not met for FIN2" in reasons
    assert decisions.loc[case, "failed_gates"] == "3,4"
    case = next(
        r["case_id"] for r in loaded_sample.expected() if r["scenario"] == "fail_gate4_edu1_not_met"
    )
    assert decisions.loc[case, "failed_gates"] == "4,6"
    assert "gate 6: regression check: child P" in decisions.loc[case, "reasons"]


def test_near_misses_say_when_they_could_pass(
    loaded_sample: LoadedSample, sample_con: duckdb.DuckDBPyConnection
) -> None:
    decisions = decide_cases(sample_con, load_plan(), loaded_sample.as_of).set_index("case_id")
    by_scenario = {r["scenario"]: r["case_id"] for r in loaded_sample.expected()}
    day_late = decisions.loc[by_scenario["fail_gate5_closed_day_late"]]
    assert day_late["earliest_pass_date"] == pd.Timestamp("2025-10-01")
    assert "6-month window to end on 2025-10-01" in day_late["still_needs"]
    regression = decisions.loc[by_scenario["fail_gate6_regression"]]
    assert pd.isna(regression["earliest_pass_date"])
    assert "gate 6: two more consecutive terms at 90%+" in regression["still_needs"]
    open_case = decisions.loc[by_scenario["fail_gate5_open"]]
    assert pd.isna(open_case["earliest_pass_date"])
    assert "case closure" in open_case["still_needs"]


def test_an_earlier_as_of_date_sees_only_earlier_rows(
    loaded_sample: LoadedSample, sample_con: duckdb.DuckDBPyConnection
) -> None:
    as_of = date(2024, 6, 30)
    decisions = decide_cases(sample_con, load_plan(), as_of).set_index("case_id")
    cases = sample_con.execute(
        "select case_id, min(opened_date), max(closed_date) from stg_eh_cases group by case_id"
    ).fetchall()
    # A case opened later is not known yet; one closed later (or never) is open then.
    assert set(decisions.index) == {c for c, opened, _ in cases if opened <= as_of}
    still_open = [c for c, opened, closed in cases
                  if opened <= as_of and (closed is None or closed > as_of)]  # fmt: skip
    assert len(still_open) > 40
    assert all("gate 5: case still open" in decisions.loc[c, "reasons"] for c in still_open)
    assert not decisions.loc[still_open, "claimed"].any()

"""Gates 1-5 on the sample council: every covered planted case decided as its scenario says.

A case is covered when everything its truth row `requires` is built: the plan's
`derived_in_this_release` criteria, recorded needs and gates 1-5, plus any gate the claim
model already evaluates (sample_data/coverage.py). Cases waiting for derived criteria
(issue 6) or gates 6-7 (issue 7) are scored in tests/sample_data/test_pipeline_vs_truth.py.
"""

from __future__ import annotations

import duckdb

from claims.decide import decide_cases
from indicators.plan import load_plan
from sample_data.coverage import built_requirements, gates_built, is_covered
from tests.conftest import LoadedSample


def _covered(loaded_sample: LoadedSample, con: duckdb.DuckDBPyConnection) -> list[dict[str, str]]:
    built = built_requirements(load_plan(), gates_built(con))
    return [r for r in loaded_sample.expected() if is_covered(r["requires"], built)]


def test_claimed_cases_match_truth_for_covered_cases(
    loaded_sample: LoadedSample, sample_con: duckdb.DuckDBPyConnection
) -> None:
    decisions = decide_cases(sample_con, load_plan(), loaded_sample.as_of)
    covered = _covered(loaded_sample, sample_con)
    claimed = set(decisions.loc[decisions["claimed"], "case_id"])
    ids = {row["case_id"] for row in covered}
    assert claimed & ids == {row["case_id"] for row in covered if row["expected_claim"] == "yes"}
    assert len(decisions) == len(loaded_sample.expected())
    # The skeleton's own scenarios and the attendance edges are all covered.
    assert len(covered) >= 40


def test_each_failed_gate_is_reported(
    loaded_sample: LoadedSample, sample_con: duckdb.DuckDBPyConnection
) -> None:
    decisions = decide_cases(sample_con, load_plan(), loaded_sample.as_of).set_index("case_id")
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


def test_an_earlier_as_of_date_sees_only_earlier_rows(
    loaded_sample: LoadedSample, sample_con: duckdb.DuckDBPyConnection
) -> None:
    from datetime import date

    decisions = decide_cases(sample_con, load_plan(), date(2024, 6, 30))
    # Every planted case was still open in June 2024, so nothing can be claimed.
    assert not decisions["claimed"].any()
    assert decisions["reasons"].str.contains("gate 5: case still open").all()

"""Gates 1-5 on the sample council: every planted case decided as its scenario says."""

from __future__ import annotations

import duckdb

from claims.decide import decide_cases
from indicators.plan import load_plan
from tests.conftest import LoadedSample


def test_claimed_cases_match_truth_for_gates_1_to_5(
    loaded_sample: LoadedSample, sample_con: duckdb.DuckDBPyConnection
) -> None:
    decisions = decide_cases(sample_con, load_plan(), loaded_sample.as_of)
    expected = {row["case_id"]: row for row in loaded_sample.expected()}
    claimed = set(decisions.loc[decisions["claimed"], "case_id"])
    assert claimed == {c for c, row in expected.items() if row["expected_claim_gates_1_5"] == "yes"}
    assert len(decisions) == len(expected)


def test_each_failed_gate_is_reported(
    loaded_sample: LoadedSample, sample_con: duckdb.DuckDBPyConnection
) -> None:
    decisions = decide_cases(sample_con, load_plan(), loaded_sample.as_of).set_index("case_id")
    for row in loaded_sample.expected():
        wanted = [g for g in row["failed_gates"].split(";") if g and int(g) <= 5]
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

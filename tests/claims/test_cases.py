"""Given/expected claim cases, read from tests/claims/cases/*.yaml.

Each case stages its rows (and any earlier claims in the ledger) straight into a warehouse
(tests/staging.py, tests/claims/conftest.py) and decides every case as of its date; the
expectations name cases by id: claimed or not, the failed gates, and text the reasons,
re-claim basis or near-miss fields must hold.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from claims.decide import decide_cases
from tests.claims.conftest import (
    AS_OF,
    claim_case_description,
    load_claim_cases,
    stage_history,
)
from tests.indicators.conftest import case_plan
from tests.staging import empty_warehouse, stage_council

CASES = load_claim_cases()


def decide_case(tmp_path: Path, case: dict[str, Any]) -> pd.DataFrame:
    plan = case_plan(tmp_path, case.get("plan"))
    with empty_warehouse() as con:
        stage_council(con, claim_case_description(case))
        if case.get("history"):
            stage_history(con, case["history"])
        if case.get("review_pairs"):
            # pairs of records awaiting clerical review (matching/review.py), by person key
            con.execute(
                "create table person_review_pair (run_id integer, record_id_l varchar, "
                "record_id_r varchar)"
            )
            con.executemany("insert into person_review_pair values (1, ?, ?)", case["review_pairs"])
        return decide_cases(con, plan, case.get("as_of", AS_OF)).set_index("case_id")


def check(decision: pd.Series, expect: dict[str, Any]) -> None:
    where = f"{decision.name}: {decision['reasons']}"
    if "claimed" in expect:
        assert bool(decision["claimed"]) is expect["claimed"], where
    if "failed_gates" in expect:
        assert decision["failed_gates"] == str(expect["failed_gates"]), where
    for text in expect.get("reasons", []):
        assert text in decision["reasons"], (text, where)
    for text in expect.get("not_in_reasons", []):
        assert text not in decision["reasons"], (text, where)
    for text in expect.get("data_problems", []):
        assert text in decision["data_problems"], (text, decision["data_problems"])
    for key in ("reclaim", "reclaim_basis", "still_needs"):
        if key in expect:
            assert expect[key] in decision[key], (key, decision[key])
    if "earliest_pass_date" in expect:
        wanted = expect["earliest_pass_date"]
        got = decision["earliest_pass_date"]
        if wanted is None:
            assert pd.isna(got), got
        else:
            assert pd.Timestamp(got).date() == date.fromisoformat(str(wanted)), got


@pytest.mark.parametrize("case", CASES, ids=[f"{c['file']}: {c['name']}" for c in CASES])
def test_claim_case(tmp_path: Path, case: dict[str, Any]) -> None:
    decisions = decide_case(tmp_path, case)
    for case_id, expect in case["expect"].items():
        check(decisions.loc[case_id], expect)

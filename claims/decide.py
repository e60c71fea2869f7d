"""Decide every early help case as of a date: the gates of SPEC section 4 in SQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from claims.ledger import prepare_claim_history
from indicators.plan import Plan
from indicators.runner import derive_indicators, model_parameters, run_models

CLAIM_SQL_DIR = Path(__file__).parent / "sql"
CLAIM_MODELS = ("claim_attendance_latest", "claim_reclaim", "claim_gate", "claim_decision")


def decide_cases(
    con: duckdb.DuckDBPyConnection,
    plan: Plan,
    as_of: date,
    before_submission: int | None = None,
) -> pd.DataFrame:
    """Rebuild the indicator and claim tables for `as_of` and return one row per case.

    Gate 7 sees the ledger's claims dated before `as_of`; a re-run passes
    `before_submission` so that only claims recorded before the one it checks count.
    """
    derive_indicators(con, plan, as_of)
    prepare_claim_history(con, as_of, before_submission)
    run_models(con, CLAIM_MODELS, model_parameters(plan, as_of), CLAIM_SQL_DIR)
    return con.execute("select * from claim_decision order by family_id, case_id").df()

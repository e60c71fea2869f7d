"""Decide every early help case as of a date: the gates of SPEC section 4 in SQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from indicators.plan import Plan
from indicators.runner import derive_indicators, model_parameters, run_models

CLAIM_SQL_DIR = Path(__file__).parent / "sql"
CLAIM_MODELS = ("claim_gate", "claim_decision")


def decide_cases(con: duckdb.DuckDBPyConnection, plan: Plan, as_of: date) -> pd.DataFrame:
    """Rebuild the indicator and claim tables for `as_of` and return one row per case."""
    derive_indicators(con, plan, as_of)
    run_models(con, CLAIM_MODELS, model_parameters(plan, as_of), CLAIM_SQL_DIR)
    return con.execute("select * from claim_decision order by family_id, case_id").df()

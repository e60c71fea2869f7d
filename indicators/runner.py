"""Derive every indicator as of a date: the entry point the flows, claims and tests call.

The models and how each runs live in indicators/models.py, the incremental derive in
indicators/incremental.py; this module sits above both so neither imports the other's
caller (no import cycle). The names other packages use are re-exported here.
"""

from __future__ import annotations

from datetime import date

import duckdb

from indicators.current import derive_current
from indicators.incremental import derive
from indicators.models import (
    COMMENT,
    INDICATOR_MODELS,
    PARAMETER,
    SQL_DIR,
    derive_all,
    model_parameters,
    run_model,
    run_models,
    write_plan_tables,
)
from indicators.plan import Plan

__all__ = [
    "COMMENT",
    "INDICATOR_MODELS",
    "PARAMETER",
    "SQL_DIR",
    "derive_all",
    "derive_current",
    "derive_indicators",
    "model_parameters",
    "run_model",
    "run_models",
    "write_plan_tables",
]


def derive_indicators(
    con: duckdb.DuckDBPyConnection, plan: Plan, as_of: date, incremental: bool = False
) -> str:
    """Measures, needs and outcome tests for every case as of a date.

    With `incremental`, only the people and cases affected since the last derive are
    recomputed (indicators/incremental.py); the tables come out equal to a full derive.
    Every derive is recorded in `derive_run`; returns the mode it ran in.
    """
    return derive(con, plan, as_of, incremental)

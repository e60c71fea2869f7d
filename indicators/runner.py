"""Run SQL model files in order, each into a table named after its file.

The SQL computes; this module only feeds each file the plan's thresholds as named DuckDB
parameters (`$attendance_good`), so the threshold an auditor reads in the plan is the one
the rule used.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from indicators.plan import Plan

log = logging.getLogger(__name__)

SQL_DIR = Path(__file__).parent / "sql"
PARAMETER = re.compile(r"\$([a-z_][a-z0-9_]*)")

# Dependency order: each model reads only tables made above it or by earlier stages.
INDICATOR_MODELS = (
    "case_current",
    "family_member",
    "measure_attendance_term",
    "measure_attendance_pair",
    "need_attendance",
    "need_recorded",
    "family_need",
    "outcome_attendance",
    "family_need_outcome",
)


def model_parameters(plan: Plan, as_of: date) -> dict[str, Any]:
    """Every value a model may name: the as-of date and each threshold of the plan."""
    return {"as_of": as_of, **plan.thresholds, **plan.gates}


def run_model(
    con: duckdb.DuckDBPyConnection, sql_path: Path, parameters: Mapping[str, Any]
) -> None:
    sql = sql_path.read_text(encoding="utf-8")
    wanted = sorted(set(PARAMETER.findall(sql)))
    missing = [name for name in wanted if name not in parameters]
    if missing:
        raise KeyError(f"{sql_path.name}: no plan value for ${', $'.join(missing)}")
    con.execute(
        f"create or replace table {sql_path.stem} as\n{sql}",
        {name: parameters[name] for name in wanted},
    )


def run_models(
    con: duckdb.DuckDBPyConnection,
    models: Iterable[str],
    parameters: Mapping[str, Any],
    sql_dir: Path = SQL_DIR,
) -> None:
    for name in models:
        run_model(con, sql_dir / f"{name}.sql", parameters)
        log.debug("built %s", name)


def write_plan_tables(con: duckdb.DuckDBPyConnection, plan: Plan) -> None:
    """The plan's criteria as a table, so SQL can join a need to its headline outcome."""
    rows = [
        (code, spec["headline"], plan.headlines[spec["headline"]], spec["wording"])
        for code, spec in sorted(plan.criteria.items())
    ]
    con.execute(
        "create or replace table plan_criterion (criterion varchar primary key, "
        "headline varchar, headline_name varchar, wording varchar)"
    )
    con.executemany("insert into plan_criterion values (?, ?, ?, ?)", rows)


def derive_indicators(con: duckdb.DuckDBPyConnection, plan: Plan, as_of: date) -> None:
    """Measures, needs and outcome tests for every case as of a date."""
    write_plan_tables(con, plan)
    run_models(con, INDICATOR_MODELS, model_parameters(plan, as_of))

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
# The cases, their members, and which feeds hold data (rebuilt whole even when incremental).
FRAME_MODELS = ("case_current", "family_member", "member_window", "feed_coverage")
# Each person's rows, and the measures per school term and per month (keyed by person).
PERSON_MODELS = (
    "person_police_event",
    "person_housing_event",
    "person_exclusion",
    "person_csc_plan",
    "measure_attendance_term",
    "measure_attendance_pair",
    "measure_exclusion_term",
    "measure_police_month",
    "measure_housing_month",
    "measure_dwp_month",
    "measure_neet_month",
)
INDICATOR_MODELS = (
    *FRAME_MODELS,
    *PERSON_MODELS,
    "member_police_event",
    # needs: one file per need found in data, then the recorded ones, then the union
    "need_attendance",
    "need_edu3",
    "need_saf1",
    "need_saf2",
    "need_saf3",
    "need_saf4",
    "need_cri1",
    "need_cri3",
    "need_da1",
    "need_da2",
    "need_da3",
    "need_hou1",
    "need_hou2",
    "need_hou3",
    "need_fin1",
    "need_fin2",
    "need_fin3",
    "need_recorded",
    "family_need",
    "need_subject",
    # outcome tests: one file per data test, then the plan's logic per criterion
    "outcome_attendance",
    "outcome_exclusion",
    "outcome_crime",
    "outcome_police_closure",
    "outcome_police_report",
    "outcome_csc_plan",
    "outcome_work",
    "outcome_neet",
    "outcome_data_test",
    "family_need_outcome",
    "family_criterion_status",
)
COMMENT = re.compile(r"--[^\n]*")


def model_parameters(plan: Plan, as_of: date) -> dict[str, Any]:
    """Every value a model may name: the as-of date and each threshold of the plan."""
    return {"as_of": as_of, **plan.thresholds, **plan.gates}


def run_model(
    con: duckdb.DuckDBPyConnection,
    sql_path: Path,
    parameters: Mapping[str, Any],
    temporary: bool = False,
) -> None:
    """Build the model's table; `temporary` builds it in the temp schema (shadowing the
    warehouse table of the same name for the rest of the connection), as an incremental
    derive does for the rows of the affected people and cases."""
    sql = sql_path.read_text(encoding="utf-8")
    # Comments name parameters too (for the reader); only those the SQL uses are passed.
    wanted = sorted(set(PARAMETER.findall(COMMENT.sub("", sql))))
    missing = [name for name in wanted if name not in parameters]
    if missing:
        raise KeyError(f"{sql_path.name}: no plan value for ${', $'.join(missing)}")
    kind = "temp table" if temporary else "table"
    con.execute(
        f"create or replace {kind} {sql_path.stem} as\n{sql}",
        {name: parameters[name] for name in wanted},
    )


def run_models(
    con: duckdb.DuckDBPyConnection,
    models: Iterable[str],
    parameters: Mapping[str, Any],
    sql_dir: Path = SQL_DIR,
    temporary: bool = False,
) -> None:
    for name in models:
        run_model(con, sql_dir / f"{name}.sql", parameters, temporary)
        log.debug("built %s", name)


def write_plan_tables(con: duckdb.DuckDBPyConnection, plan: Plan) -> None:
    """The plan's criteria and outcome logic as tables, so SQL can join a need to them."""
    derived = set(plan.derived_criteria)
    rows = [
        (
            code,
            spec["headline"],
            plan.headlines[spec["headline"]],
            spec["wording"],
            spec.get("derived", "none"),
            code in derived,
            spec.get("source", ""),
        )
        for code, spec in sorted(plan.criteria.items())
    ]
    con.execute(
        "create or replace table plan_criterion (criterion varchar primary key, "
        "headline varchar, headline_name varchar, wording varchar, derived_from varchar, "
        "derived_in_release boolean, source varchar)"
    )
    con.executemany("insert into plan_criterion values (?, ?, ?, ?, ?, ?, ?)", rows)
    logic = [
        (code, plan.outcome_logic(code)["combine"], list(plan.outcome_logic(code)["evidence"]))
        for code in sorted(plan.criteria)
    ]
    con.execute(
        "create or replace table plan_outcome_logic (criterion varchar primary key, "
        "combine varchar, evidence varchar[])"
    )
    con.executemany("insert into plan_outcome_logic values (?, ?, ?)", logic)


def derive_indicators(
    con: duckdb.DuckDBPyConnection, plan: Plan, as_of: date, incremental: bool = False
) -> str:
    """Measures, needs and outcome tests for every case as of a date.

    With `incremental`, only the people and cases affected since the last derive are
    recomputed (indicators/incremental.py); the tables come out equal to a full derive.
    Every derive is recorded in `derive_run`; returns the mode it ran in.
    """
    from indicators.incremental import derive

    return derive(con, plan, as_of, incremental)


def derive_all(con: duckdb.DuckDBPyConnection, plan: Plan, as_of: date) -> None:
    """Every model rebuilt whole: the full derive."""
    write_plan_tables(con, plan)
    run_models(con, INDICATOR_MODELS, model_parameters(plan, as_of))

"""The indicator models in run order, and how one SQL file becomes one table.

The SQL computes; this module only feeds each file the plan's thresholds as named DuckDB
parameters (`$attendance_good`), so the threshold an auditor reads in the plan is the one
the rule used. The need and outcome models come from the criterion registry
(indicators/criteria.yaml), so a new criterion's SQL runs without editing a list here.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import duckdb

from data_contracts.log_records import progress_extra
from indicators.plan import Plan, load_plan
from indicators.registry import load_registry

log = logging.getLogger(__name__)

SQL_DIR = Path(__file__).parent / "sql"
PARAMETER = re.compile(r"\$([a-z_][a-z0-9_]*)")
COMMENT = re.compile(r"--[^\n]*")

# Dependency order: each model reads only tables made above it or by earlier stages.
# The cases, their members, and which feeds hold data (rebuilt whole even when incremental).
FRAME_MODELS = ("case_current", "family_member", "member_window", "feed_coverage")
# Each person's rows, and the measures per school term and per month (keyed by person).
PERSON_MODELS = (
    "person_police_event",
    "person_housing_event",
    "person_exclusion",
    "person_csc_plan",
    "person_referral",
    "measure_attendance_term",
    "measure_attendance_pair",
    "measure_exclusion_term",
    "measure_police_month",
    "measure_housing_month",
    "measure_dwp_month",
    "measure_neet_month",
)
# Case-level rows that several needs, tests and claim gates read (keyed by case).
CASE_SUPPORT_MODELS = (
    "member_police_event",
    "case_referral",
    "case_referral_record",
    "child_attendance_latest",
)
REGISTRY = load_registry()
INDICATOR_MODELS = (
    *FRAME_MODELS,
    *PERSON_MODELS,
    *CASE_SUPPORT_MODELS,
    # needs: one model per need found in data (registry order), the recorded ones, the union
    *REGISTRY.need_models,
    "need_recorded",
    "recorded_not_member",
    "family_need",
    "need_subject",
    # outcome tests: one model per data test (registry order), then the plan's logic
    *REGISTRY.outcome_model_order,
    "outcome_data_test",
    "family_need_outcome",
    "family_criterion_status",
)


@cache
def _national_settings() -> dict[str, Any]:
    national = load_plan()
    return {**national.thresholds, **national.gates}


def model_parameters(plan: Plan, as_of: date) -> dict[str, Any]:
    """Every value a model may name: the as-of date and each threshold of the plan.

    A plan stored with a submission before a setting existed (`sfp rerun` of an old period)
    runs with that setting's national default rather than failing.
    """
    return {
        "as_of": as_of,
        # what the forecast changes when it judges a later date on the rows known now
        # (claims/forecast.py): the terms ended by the as-of date are the ones judged, and
        # the referrals feed is taken as it stands
        "attendance_terms_by": as_of,
        "referrals_assumed_to": None,
        **_national_settings(),
        **plan.thresholds,
        **plan.gates,
    }


def sql_parameters(sql: str) -> set[str]:
    """The `$names` a SQL file uses outside its comments."""
    return set(PARAMETER.findall(COMMENT.sub("", sql)))


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
    wanted = sorted(sql_parameters(sql))
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
    names = list(models)
    for done, name in enumerate(names, 1):
        run_model(con, sql_dir / f"{name}.sql", parameters, temporary)
        log.info(
            "derive: %d of %d models built (%s)", done, len(names), name,
            extra=progress_extra(done, len(names), "indicator models"),
        )  # fmt: skip


def write_plan_tables(con: duckdb.DuckDBPyConnection, plan: Plan) -> None:
    """The plan's criteria and outcome logic as tables, so SQL can join a need to them."""
    derived = set(plan.derived_criteria)
    rows = [
        (
            c.code,
            c.headline,
            REGISTRY.headlines[c.headline],
            c.wording,
            c.feed,
            c.code in derived,
            c.source,
            c.about,
        )
        for c in sorted(REGISTRY.criteria.values(), key=lambda c: c.code)
    ]
    con.execute(
        "create or replace table plan_criterion (criterion varchar primary key, "
        "headline varchar, headline_name varchar, wording varchar, derived_from varchar, "
        "derived_in_release boolean, source varchar, about varchar)"
    )
    _insert(con, "plan_criterion", rows)
    logic = []
    for code in sorted(REGISTRY.criteria):
        entry = plan.outcome_logic(code)
        logic.append((code, entry["combine"], list(entry["evidence"]), entry["evidence_match"]))
    con.execute(
        "create or replace table plan_outcome_logic (criterion varchar primary key, "
        "combine varchar, evidence varchar[], evidence_match varchar)"
    )
    _insert(con, "plan_outcome_logic", logic)


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple[Any, ...]]) -> None:
    """All rows in one statement (executemany runs one per row: a rule case's derive spent
    more on these two small tables than on most models)."""
    if not rows:
        return
    row = "(" + ", ".join("?" * len(rows[0])) + ")"
    con.execute(
        f"insert into {table} values " + ", ".join([row] * len(rows)),
        [value for values in rows for value in values],
    )


def derive_all(con: duckdb.DuckDBPyConnection, plan: Plan, as_of: date) -> None:
    """Every model rebuilt whole: the full derive."""
    write_plan_tables(con, plan)
    run_models(con, INDICATOR_MODELS, model_parameters(plan, as_of))

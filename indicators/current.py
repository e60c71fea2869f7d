"""The indicator tables a decision reads, derived again only where something moved.

A claim, a re-run, the worklist and the forecast decide on the indicator tables as of their
date. The nightly has usually just derived them, from the same loaded rows and links: a
full derive inside every decision (62% of a claim at 50,000 households) recomputed tables
that were already right. Here the last derive's record (`derive_run`, `derive_input`) is
checked against the warehouse now:

- anything a model reads changed since (a batch loaded, superseded or rewound, a person
  linked differently, the plan's values, the registry, the model SQL, a table missing):
  derive as the caller asks, as before (`incremental` false: everything, in full);
- nothing changed and the same as-of date: nothing is derived (`current`);
- nothing changed but the date: the models whose answer depends on the as-of date
  (indicators.dependencies.as_of_dependent_models, read from the SQL) are derived again.
  That is every model today, through the frame models that cut rows at the date, so the
  derive is the one the caller asks for, as before. The decisions on tables derived
  either way are the same, byte for byte (tests/claims/test_derive_current.py).
"""

from __future__ import annotations

import logging
from datetime import date

import duckdb

from indicators.dependencies import as_of_dependent_models, inputs_fingerprint
from indicators.incremental import (
    DERIVE_INPUT_DDL,
    DERIVE_RUN_DDL,
    derive,
    models_fingerprint,
    plan_fingerprint,
)
from indicators.models import INDICATOR_MODELS, model_parameters
from indicators.plan import Plan

log = logging.getLogger(__name__)

PLAN_TABLES = ("plan_criterion", "plan_outcome_logic")

LAST_DERIVE_SQL = """
select r.as_of, r.plan_fingerprint, r.models_fingerprint, i.inputs_fingerprint
from derive_run r left join derive_input i using (derive_seq)
order by r.derive_seq desc limit 1
"""


def stale_reason(con: duckdb.DuckDBPyConnection, plan: Plan, as_of: date) -> str | None:
    """Why the tables of the last derive cannot stand for this one but for its date, or
    None when everything the models read is as that derive read it."""
    last = con.execute(LAST_DERIVE_SQL).fetchall()
    if not last:
        return "no previous derive"
    _, plan_print, models_print, inputs_print = last[0]
    if inputs_print is None:
        return "the last derive recorded no inputs"
    if plan_print != plan_fingerprint(plan):
        return "plan changed"
    if models_print != models_fingerprint():
        return "models changed"
    present = {
        row[0]
        for row in con.execute(
            "select table_name from duckdb_tables() where database_name = current_database()"
        ).fetchall()
    }
    missing = [t for t in (*INDICATOR_MODELS, *PLAN_TABLES) if t not in present]
    if missing:
        return f"model table {missing[0]} missing"
    if inputs_print != inputs_fingerprint(con, model_parameters(plan, as_of)):
        return "rows, links or plan values changed since the last derive"
    return None


def derive_current(
    con: duckdb.DuckDBPyConnection, plan: Plan, as_of: date, incremental: bool = False
) -> str:
    """Make the indicator tables those of `as_of`; returns what it did: "current" (nothing
    needed), or the mode of the derive it ran (`derive_run` records it)."""
    con.execute(DERIVE_RUN_DDL)
    con.execute(DERIVE_INPUT_DDL)
    reason = stale_reason(con, plan, as_of)
    if reason is not None:
        log.info("indicators derived again: %s", reason)
        return derive(con, plan, as_of, incremental)
    last_as_of = con.execute(LAST_DERIVE_SQL).fetchall()[0][0]
    if last_as_of == as_of:
        log.info("indicators current as of %s: none derived again", as_of)
        return "current"
    # Another date: every model depends on it (as_of_dependent_models, read from the SQL:
    # the frame models cut every row at the date), so none of the tables stands. The
    # incremental derive would recompute most cases when the date moves by a quarter and
    # costs more than the full one then (12.5 s of CPU against 8 at 50,000 households).
    moved = as_of_dependent_models()
    log.info(
        "indicators derived again: the as-of date moved from %s to %s (%d of %d models read it)",
        last_as_of,
        as_of,
        len(moved),
        len(INDICATOR_MODELS),
    )
    return derive(con, plan, as_of, incremental)

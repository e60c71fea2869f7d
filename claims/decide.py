"""Decide every early help case as of a date: the gates of SPEC section 4 in SQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from claims.ledger import prepare_claim_history
from indicators.plan import Plan
from indicators.runner import derive_current, model_parameters, run_model, run_models

CLAIM_SQL_DIR = Path(__file__).parent / "sql"
CLAIM_MODELS = (
    "claim_attendance_latest",
    "claim_reclaim",
    "claim_family",
    "claim_gate",
    "claim_decision",
)
PAIR_MODEL = "claim_uncertain_pair"
REVIEW_TABLES = {
    "person_review_pair": "null::integer as run_id, null::varchar as record_id_l, "
    "null::varchar as record_id_r",
    "review_decision": "null::varchar as record_id_l, null::varchar as record_id_r, "
    "null::varchar as decision",
}
"""The review tables claim_uncertain_pair reads, as empty stand-ins when linkage has none."""
PERSON_LINK_COLUMNS = (
    "source varchar, source_record_id varchar, record_id varchar, person_id varchar"
)


def ensure_person_links(con: duckdb.DuckDBPyConnection) -> None:
    """A warehouse never linked still decides (nobody links to anyone).

    `person_link` belongs to matching (SPEC: one owning layer per table): claims never
    creates or rewrites it in the warehouse. When it is missing, an empty temp view of the
    same name stands in for this connection only.
    """
    known = con.execute(
        "select count(*) from duckdb_tables() where table_name = 'person_link'"
    ).fetchall()[0][0]
    views = con.execute(
        "select count(*) from duckdb_views() where view_name = 'person_link'"
    ).fetchall()[0][0]
    if not known and not views:
        con.execute(
            "create temp view person_link as select * from (values "
            "(null::varchar, null::varchar, null::varchar, null::varchar)) "
            "t(source, source_record_id, record_id, person_id) where false"
        )


def build_uncertain_pairs(con: duckdb.DuckDBPyConnection, parameters: dict[str, object]) -> None:
    """claim_uncertain_pair: the pairs of people awaiting clerical review (SPEC section 4).

    The review tables are matching's (matching/review.py): a warehouse never linked or never
    reviewed lacks them, and an empty stand-in stands for each while the model runs. Built
    once per decision, it does not move with the date, so the forecast reads it as it is.
    """
    made = []
    for table, columns in REVIEW_TABLES.items():
        present = con.execute(
            "select count(*) from duckdb_tables() where table_name = ? "
            "union all select count(*) from duckdb_views() where view_name = ?",
            [table, table],
        ).fetchall()
        if not any(count for (count,) in present):
            con.execute(f"create temp view {table} as select {columns} where false")
            made.append(table)
    try:
        run_model(con, CLAIM_SQL_DIR / f"{PAIR_MODEL}.sql", parameters)
    finally:
        for table in made:
            con.execute(f"drop view if exists temp.{table}")


def decide_cases(
    con: duckdb.DuckDBPyConnection,
    plan: Plan,
    as_of: date,
    before_submission: int | None = None,
) -> pd.DataFrame:
    """Rebuild the claim tables for `as_of` and return one row per case.

    The indicator tables are derived again only where the warehouse changed since the
    last derive or the date moved (indicators/current.py): on tables current for `as_of`
    the decision is the same as after a full derive, byte for byte.

    Gate 7 sees the ledger's claims dated before `as_of`; a re-run passes
    `before_submission` so that only claims recorded before the one it checks count.
    """
    ensure_person_links(con)
    derive_current(con, plan, as_of)
    prepare_claim_history(con, as_of, before_submission)
    parameters = model_parameters(plan, as_of)
    build_uncertain_pairs(con, parameters)
    run_models(con, CLAIM_MODELS, parameters, CLAIM_SQL_DIR)
    return con.execute("select * from claim_decision order by family_id, case_id").df()

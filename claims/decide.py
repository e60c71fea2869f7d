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
CLAIM_MODELS = (
    "claim_attendance_latest",
    "claim_reclaim",
    "claim_family",
    "claim_gate",
    "claim_decision",
)
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
    ensure_person_links(con)
    derive_indicators(con, plan, as_of)
    prepare_claim_history(con, as_of, before_submission)
    run_models(con, CLAIM_MODELS, model_parameters(plan, as_of), CLAIM_SQL_DIR)
    return con.execute("select * from claim_decision order by family_id, case_id").df()

"""A warehouse copy put back to what was loaded by a given load sequence number.

An auditor's re-run of a past period needs the staged rows as the submission saw them. The
batches belong to this layer, so the rewind lives here and claims only asks for it; it is
only ever run on a copy (claims/rerun.py), never on the warehouse itself.
"""

from __future__ import annotations

import duckdb

from data_contracts.feeds import FEEDS


def rewind_batches(con: duckdb.DuckDBPyConnection, max_load_seq: int) -> int:
    """Remove every batch loaded after `max_load_seq`; returns how many were removed."""
    later = [
        row[0]
        for row in con.execute(
            "select batch_id from load_batch where load_seq > ?", [max_load_seq]
        ).fetchall()
    ]
    for feed in FEEDS:
        # stg_<feed> is a view of the current batches; the rows live in stg_<feed>_all.
        for table in (f"raw_{feed}", f"stg_{feed}_all"):
            con.execute(f"delete from {table} where batch_id in (select unnest(?))", [later])
    for table in (
        "quarantine_row",
        "validation_result",
        "staged_row_key",
        "load_source",
        "load_source_row",
    ):
        con.execute(f"delete from {table} where batch_id in (select unnest(?))", [later])
    # A correction loaded after the submission must not hide the batch it replaced.
    con.execute("delete from load_supersession where superseded_at_seq > ?", [max_load_seq])
    con.execute("delete from load_batch where load_seq > ?", [max_load_seq])
    return len(later)

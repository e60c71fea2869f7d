"""The warehouse file and the tables that ingestion owns.

Every stage opens the same DuckDB file; the raw, staged and quarantine tables are laid out
from the feed contracts so they can never drift from what ingestion writes.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from data_contracts.feeds import FEEDS, Feed

BOOKKEEPING_DDL = """
create table if not exists load_batch (
    batch_id varchar primary key,
    feed varchar not null,
    file_name varchar not null,
    file_sha256 varchar not null,
    rows_in integer not null,
    rows_staged integer not null,
    rows_quarantined integer not null,
    load_seq integer not null,
    loaded_at timestamp not null
);
create table if not exists load_error (
    feed varchar,
    file_name varchar not null,
    file_sha256 varchar,
    error varchar not null,
    loaded_at timestamp not null
);
create table if not exists quarantine_row (
    feed varchar not null,
    batch_id varchar not null,
    row_number integer not null,
    column_name varchar not null,
    reason varchar not null
);
"""


def connect(path: str | Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse, creating its folder and the ingestion tables on first use."""
    path = Path(path)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), read_only=read_only)
    if not read_only:
        ensure_ingest_tables(con)
    return con


def ensure_ingest_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(BOOKKEEPING_DDL)
    for feed in FEEDS.values():
        con.execute(raw_table_ddl(feed))
        con.execute(staged_table_ddl(feed))


def raw_table_ddl(feed: Feed) -> str:
    """Raw rows as text exactly as received, so a quarantined value can always be traced."""
    columns = ",\n    ".join(f'"{c.name}" varchar' for c in feed.all_columns)
    return (
        f"create table if not exists raw_{feed.name} (\n    batch_id varchar not null,\n"
        f"    row_number integer not null,\n    {columns},\n    extra_columns varchar\n)"
    )


def staged_table_ddl(feed: Feed) -> str:
    columns = ",\n    ".join(f'"{c.name}" {c.sql_type}' for c in feed.all_columns)
    derived = ",\n    term_end date" if feed.name == "attendance" else ""
    return (
        f"create table if not exists stg_{feed.name} (\n    source_record_id varchar not null,\n"
        f"    batch_id varchar not null,\n    row_number integer not null,\n"
        f"    {columns}{derived}\n)"
    )


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> object:
    """The first value of a query, reading the result to the end.

    DuckDB 2 refuses further work on a connection whose last result was not read to the
    end, so `fetchone()` on a multi-row result would block the next statement.
    """
    rows = con.execute(sql, params or []).fetchall()
    return rows[0][0] if rows else None

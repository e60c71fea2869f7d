"""The warehouse file and the tables that ingestion owns.

Every stage opens the same DuckDB file; the raw, staged and quarantine tables are laid out
from the feed contracts so they can never drift from what ingestion writes.
"""

from __future__ import annotations

import errno
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

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
    loaded_at timestamp not null,
    read_as varchar
);
create table if not exists load_error (
    feed varchar,
    file_name varchar not null,
    file_sha256 varchar,
    error varchar not null,
    loaded_at timestamp not null,
    definition_sha256 varchar
);
create table if not exists load_supersession (
    batch_id varchar primary key,
    superseded_by varchar not null,
    superseded_at_seq integer not null
);
create table if not exists validation_result (
    batch_id varchar not null,
    feed varchar not null,
    suite varchar not null,
    check_number integer not null,
    source varchar not null,
    check_label varchar not null,
    column_name varchar not null,
    reason varchar not null,
    success boolean not null,
    unexpected_count integer not null,
    rows_quarantined integer not null
);
create table if not exists staged_row_key (
    batch_id varchar not null,
    row_number integer not null,
    key_hash ubigint not null
);
create table if not exists load_source (
    batch_id varchar primary key,
    source varchar not null,
    definition_sha256 varchar not null,
    folder varchar not null,
    source_table varchar not null
);
create table if not exists load_source_row (
    batch_id varchar not null,
    row_number integer not null,
    source_table varchar not null,
    source_line integer not null
);
create table if not exists quarantine_row (
    feed varchar not null,
    batch_id varchar not null,
    row_number integer not null,
    column_name varchar not null,
    reason varchar not null
);
"""


# DuckDB's buffer pool would otherwise grow to 80% of the machine's memory; with this cap
# it spills to `<warehouse>.tmp` instead, and a 300,000-household nightly stays under the
# 8 GiB the operations issue asks for (bench/bench_pipeline.py, README).
WAREHOUSE_MEMORY_LIMIT = "3GB"


# A foreign file (a SQLite database) made DuckDB download an extension to read it: a
# warehouse is only ever a DuckDB file, so nothing is installed or loaded behind our back.
NO_EXTENSIONS = {"autoload_known_extensions": False, "autoinstall_known_extensions": False}


class WarehouseError(RuntimeError):
    """The warehouse file cannot be opened or written; one line saying why and what to do."""


def connect(path: str | Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse, creating its folder and the ingestion tables on first use."""
    path = Path(path)
    try:
        if not read_only:
            path.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(
            str(path),
            read_only=read_only,
            config={"memory_limit": WAREHOUSE_MEMORY_LIMIT, **NO_EXTENSIONS},
        )
    except (duckdb.Error, OSError) as error:
        raise WarehouseError(describe_open_failure(path, error)) from None
    try:
        refuse_foreign(con, path)
        if not read_only:
            ensure_ingest_tables(con)
    except duckdb.Error as error:
        con.close()
        raise WarehouseError(describe_open_failure(path, error)) from None
    except WarehouseError:
        con.close()
        raise
    return con


OWN_TABLE = "load_batch"
"""The table every warehouse of this pipeline has held since its first night (`connect`
makes it before anything else): a DuckDB file that holds tables but not this one was made
by another application."""


def refuse_foreign(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """A DuckDB file of another application is one line and left exactly as it was.

    Only reads the catalogue (DuckDB writes nothing to a file on open and close when no
    statement changed it). A new, empty file is a new warehouse; an older warehouse of
    this pipeline is recognised by `load_batch`, so every existing warehouse keeps working.
    """
    tables = con.execute(
        "select table_name from duckdb_tables() where database_name = current_database() "
        "union all select view_name from duckdb_views() "
        "where database_name = current_database() and not internal"
    ).fetchall()
    names = {name for (name,) in tables}
    if names and OWN_TABLE not in names:
        raise WarehouseError(
            f"{path}: a DuckDB file of another application ({len(names)} tables or views,"
            f" no {OWN_TABLE}), not a warehouse of this pipeline; it was left untouched"
            " (choose another --warehouse)"
        )


def check_warehouse_file(path: Path) -> None:
    """Before a command takes the lock or prepares Prefect beside `path`: refuse a file
    that is not a warehouse of this pipeline, so nothing is written next to it either.

    A warehouse held open by another process is left to the lock and the later open
    (`--wait` waits for it), as is anything else the later open explains in one line.
    """
    if not path.is_file():
        return
    try:
        con = duckdb.connect(str(path), read_only=True, config=dict(NO_EXTENSIONS))
    except (duckdb.Error, OSError):
        return
    try:
        refuse_foreign(con, path)
    finally:
        con.close()


SQLITE_HEADER = b"SQLite format 3\x00"


def describe_open_failure(path: Path, error: BaseException) -> str:
    """One line for a warehouse DuckDB cannot open: never DuckDB's page of text."""
    message = str(error)
    holder = re.search(r"\(PID (\d+)\)", message)
    if "Could not set lock" in message or "Conflicting lock" in message:
        process = f" (process {holder.group(1)})" if holder else ""
        return (
            f"{path}: open in another program{process}; close it there (a DuckDB shell,"
            " a notebook) and try again"
        )
    if is_disk_full(error):
        return f"{path}: disk full (no space left on the device); free some space and run again"
    if _starts_with(path, SQLITE_HEADER):
        return f"{path}: a SQLite database, not a DuckDB warehouse (choose another --warehouse)"
    if "not a valid DuckDB database" in message or "Corrupt" in message:
        return (
            f"{path}: not a DuckDB warehouse, or a damaged one (restore it from a backup,"
            " or choose another --warehouse)"
        )
    if "version" in message.lower() and "storage" in message.lower():
        return f"{path}: made by another DuckDB version than the one this pipeline pins"
    if (
        isinstance(error, PermissionError)
        or "Permission denied" in message
        or ("Operation not permitted" in message)
    ):
        return f"{path}: cannot be written (permission denied on the file or its folder)"
    if "Read-only file system" in message or "read-only" in message.lower():
        return f"{path}: cannot be written (a read-only file or folder)"
    if isinstance(error, IsADirectoryError) or "Is a directory" in message:
        return f"{path}: is a folder (expected a warehouse file)"
    return f"{path}: cannot be opened as a warehouse ({type(error).__name__})"


class DiskFull(WarehouseError):
    """The disk filled while writing: one line, exit code 2; never a file's fault."""


DISK_FULL_WORDS = ("no space left on device", "disk quota exceeded", "disk is full")


def is_disk_full(error: BaseException) -> bool:
    """A full disk (or quota) under DuckDB or a file write, whatever wraps it."""
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    return any(words in str(error).lower() for words in DISK_FULL_WORDS)


def disk_full(where: str) -> DiskFull:
    return DiskFull(
        f"disk full (no space left on the device) while {where}: free some space and run"
        " again; what was recorded before is kept whole, what was being written was rolled back"
    )


def is_interrupt(error: BaseException) -> bool:
    """Ctrl-C reaching a running DuckDB query: DuckDB stops the query and raises its own
    error instead of KeyboardInterrupt, which must still stop the run, not fail one file."""
    return isinstance(error, KeyboardInterrupt | duckdb.InterruptException) or (
        isinstance(error, RuntimeError) and "interrupted" in str(error).lower()
    )


def _starts_with(path: Path, header: bytes) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(len(header)) == header
    except OSError:
        return False


def ensure_ingest_tables(con: duckdb.DuckDBPyConnection) -> None:
    from data_contracts.repeats import record_keys

    new_keys = not scalar(
        con, "select count(*) from information_schema.tables where table_name = 'staged_row_key'"
    )
    con.execute(BOOKKEEPING_DDL)
    # Warehouses made before files were read per character set and sheet lack `read_as`.
    con.execute("alter table load_batch add column if not exists read_as varchar")
    # ... and before a partner's file was refused per version of its source definition.
    con.execute("alter table load_error add column if not exists definition_sha256 varchar")
    for feed in FEEDS.values():
        con.execute(raw_table_ddl(feed))
        _move_old_staged_table(con, feed)
        con.execute(staged_table_ddl(feed))
        con.execute(current_view_ddl(feed))
        if new_keys:
            # A warehouse made before repeats were checked: its staged rows' key hashes.
            record_keys(con, feed)


def _move_old_staged_table(con: duckdb.DuckDBPyConnection, feed: Feed) -> None:
    """A warehouse made before re-sent files were handled kept rows in table `stg_<feed>`."""
    kind = scalar(
        con,
        "select table_type from information_schema.tables where table_name = ?",
        [f"stg_{feed.name}"],
    )
    if kind == "BASE TABLE":
        con.execute(f"alter table stg_{feed.name} rename to stg_{feed.name}_all")


def raw_table_ddl(feed: Feed) -> str:
    """Raw rows as text exactly as received, so a quarantined value can always be traced."""
    columns = ",\n    ".join(f'"{c.name}" varchar' for c in feed.all_columns)
    return (
        f"create table if not exists raw_{feed.name} (\n    batch_id varchar not null,\n"
        f"    row_number integer not null,\n    {columns},\n    extra_columns varchar\n)"
    )


def staged_table_ddl(feed: Feed) -> str:
    """Every staged row of every batch, superseded or not (nothing is ever deleted)."""
    columns = ",\n    ".join(f'"{c.name}" {c.sql_type}' for c in feed.all_columns)
    derived = ",\n    term_end date" if feed.name == "attendance" else ""
    return (
        f"create table if not exists stg_{feed.name}_all (\n"
        f"    source_record_id varchar not null,\n"
        f"    batch_id varchar not null,\n    row_number integer not null,\n"
        f"    {columns}{derived}\n)"
    )


def current_view_ddl(feed: Feed) -> str:
    """`stg_<feed>`: the staged rows of current batches, the name every model reads.

    A corrected file re-sent under the same name supersedes the earlier batch
    (docs/contracts.md); its rows stay in `stg_<feed>_all` but drop out of this view, so
    the indicator SQL sees only current data without knowing about supersession.
    """
    return (
        f"create or replace view stg_{feed.name} as\n"
        f"select s.* from stg_{feed.name}_all s\n"
        f"where s.batch_id not in (select batch_id from load_supersession)"
    )


def staged_as_of_load_sql(feed: str) -> str:
    """SQL for `stg_<feed>` as it stood right after load number `$load_seq`.

    For a re-run of a past period: batches loaded later are left out, and a batch counts
    as superseded only if the file that replaced it was loaded by then.
    """
    if feed not in FEEDS:
        raise ValueError(f"unknown feed {feed!r}")
    return (
        f"select s.* from stg_{feed}_all s join load_batch b using (batch_id)\n"
        f"where b.load_seq <= $load_seq and s.batch_id not in (\n"
        f"    select batch_id from load_supersession where superseded_at_seq <= $load_seq)"
    )


@contextmanager
def all_or_nothing(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """One transaction: every statement inside is kept, or (on any error, Ctrl-C or a kill)
    none is. DuckDB writes a transaction to its log only when it commits, so a process
    killed inside leaves the warehouse as it was before `begin`."""
    con.execute("begin transaction")
    try:
        yield con
        con.execute("commit")
    except BaseException:
        try:
            con.execute("rollback")
        except duckdb.Error:
            pass  # a failed statement already ended the transaction
        raise


NIGHT_CHECKPOINT_THRESHOLD = "1TB"
"""While a night loads its files, the write-ahead log is not folded into the file at each
commit (DuckDB's default does so once the log passes 16 MiB, which at 50,000 households
rewrote the tables after nearly every batch: 7.5 s of a 57 s ingest)."""


@contextmanager
def one_checkpoint(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """Many commits, one checkpoint: every transaction inside still commits on its own
    (to the write-ahead log, which DuckDB replays on the next open after a kill, so a kill
    leaves each batch loaded or not, ADR 0010), but the tables are rewritten into the
    warehouse file once, at the end. Nested uses checkpoint once, at the outermost end."""
    before = scalar(con, "select current_setting('checkpoint_threshold')")
    con.execute(f"set checkpoint_threshold = '{NIGHT_CHECKPOINT_THRESHOLD}'")
    if before == scalar(con, "select current_setting('checkpoint_threshold')"):
        yield con  # inside another use: the outermost one checkpoints
        return
    try:
        yield con
    finally:
        con.execute(f"set checkpoint_threshold = '{before}'")
    # Only after a night that ended without error: a failing one leaves its committed
    # batches in the log (kept, and replayed on the next open), and its error is the one
    # to see.
    progress = bool(scalar(con, "select current_setting('enable_progress_bar')"))
    con.execute("set enable_progress_bar = false")  # never a bar on the terminal
    try:
        con.execute("checkpoint")
    except duckdb.TransactionException:
        pass  # another connection is writing: the log stays, folded in by a later commit
    except duckdb.Error as error:
        if is_disk_full(error):  # every batch is still in the log, replayed on the next open
            raise disk_full("writing the night's batches into the warehouse file") from None
        raise
    finally:
        con.execute(f"set enable_progress_bar = {progress}")


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> Any:
    """The first value of a query, reading the result to the end.

    DuckDB 2 refuses further work on a connection whose last result was not read to the
    end, so `fetchone()` on a multi-row result would block the next statement.
    """
    rows = con.execute(sql, params or []).fetchall()
    return rows[0][0] if rows else None

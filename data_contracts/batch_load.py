"""Loading one batch: a new file read and checked, then written in one transaction.

Raw rows (text as received), staged rows (typed), quarantine lines and the batch's
bookkeeping are written together, so a crash never leaves half a batch; a corrected file
re-sent under the same name supersedes the earlier batch of that name (docs/contracts.md).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from data_contracts.feed_reader import FeedFileError, FeedTable, read_feed_table
from data_contracts.feeds import Feed
from data_contracts.validation import BatchValidation, CheckResult, validate_batches
from data_contracts.warehouse import scalar

RAGGED_COLUMN = "(whole row)"


@dataclass(frozen=True)
class BatchReport:
    """What happened to one file: the reconciliation a data team checks every night."""

    feed: str
    file_name: str
    batch_id: str | None
    rows_in: int
    rows_staged: int
    rows_quarantined: int
    status: str
    error: str = ""
    suite: str = ""
    checks: tuple[CheckResult, ...] = ()
    """Every check the batch went through, for the nightly's validation page."""
    supersedes: tuple[str, ...] = ()
    """Earlier batches of the same feed and file name that this corrected file replaces."""

    def line(self) -> str:
        if self.error:
            return f"{self.file_name}: REFUSED: {self.error}"
        if self.status == "already loaded":
            return f"{self.file_name}: already loaded as {self.batch_id}"
        replaced = f" (supersedes {', '.join(self.supersedes)})" if self.supersedes else ""
        return (
            f"{self.file_name}: {self.status}: {self.rows_in} rows in = {self.rows_staged} staged"
            f" + {self.rows_quarantined} quarantined{replaced}"
        )


def check_columns(feed: Feed, frame: pd.DataFrame, file_name: str) -> None:
    missing = [name for name in feed.required_names if name not in frame.columns]
    if missing:
        raise FeedFileError(
            f"{file_name}: missing required column(s) {', '.join(missing)} for feed "
            f"'{feed.name}' (expected {', '.join(feed.required_names)})"
        )
    if frame.columns.duplicated().any():
        duplicated = sorted(set(frame.columns[frame.columns.duplicated()]))
        raise FeedFileError(f"{file_name}: column(s) {', '.join(duplicated)} appear twice")


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class PreparedFile:
    """A new file read and found to be a table of its feed, waiting for validation."""

    feed: Feed
    path: Path
    digest: str
    table: FeedTable

    @property
    def batch_id(self) -> str:
        return f"{self.feed.name}-{self.digest[:16]}"

    @property
    def readable(self) -> pd.DataFrame:
        return self.table.frame.drop(index=list(self.table.ragged))

    @property
    def row_numbers(self) -> pd.Series:
        return pd.Series(self.readable.index, index=self.readable.index)


def prepare_file(
    con: duckdb.DuckDBPyConnection, feed: Feed, path: Path, seen: set[str] | None = None
) -> PreparedFile | BatchReport:
    """Read a file unless its bytes were loaded before (or earlier in this run).

    Raises FeedFileError for a whole-file problem; returns a report for a known file.
    """
    digest = file_sha256(path)
    already = scalar(
        con, "select 1 from load_batch where file_sha256 = ? and feed = ?", [digest, feed.name]
    )
    if already or (seen is not None and digest in seen):
        batch_id = f"{feed.name}-{digest[:16]}"
        return BatchReport(feed.name, str(path), batch_id, 0, 0, 0, "already loaded")
    table = read_feed_table(path)
    check_columns(feed, table.frame, str(path))
    if seen is not None:
        seen.add(digest)
    return PreparedFile(feed, path, digest, table)


def ingest_file(
    con: duckdb.DuckDBPyConnection, feed: Feed, path: Path, loaded_at: datetime | None = None
) -> BatchReport:
    """Load one file as one batch (`ingest_inbox` does this for a whole inbox)."""
    loaded_at = loaded_at or datetime.now(UTC).replace(tzinfo=None)
    prepared = prepare_file(con, feed, path)
    if isinstance(prepared, BatchReport):
        return prepared
    [checked] = validate_batches(
        feed, [(prepared.readable, prepared.row_numbers)], loaded_at.date()
    )
    return load_file(con, prepared, checked, loaded_at)


def load_file(
    con: duckdb.DuckDBPyConnection,
    prepared: PreparedFile,
    checked: BatchValidation,
    loaded_at: datetime,
) -> BatchReport:
    """Write one checked batch, in one transaction so a crash leaves no half batch."""
    feed, path, digest, table = prepared.feed, prepared.path, prepared.digest, prepared.table
    batch_id = prepared.batch_id
    frame = table.frame
    row_numbers = pd.Series(frame.index, index=frame.index)
    width = len(frame.columns)
    ragged = pd.DataFrame(
        {
            "row_index": list(table.ragged),
            "column_name": RAGGED_COLUMN,
            "reason": [f"expected {width} fields, found {n}" for n in table.ragged.values()],
        },
        columns=["row_index", "column_name", "reason"],
    )
    problems = pd.concat([ragged, checked.problems], ignore_index=True)
    problems = problems.assign(_row=row_numbers.loc[problems["row_index"]].to_numpy())
    problems = problems.sort_values("_row", kind="stable").drop(columns="_row")
    bad_index = problems["row_index"].unique()
    good = checked.typed.drop(index=bad_index, errors="ignore")

    raw = frame.reindex(columns=[c.name for c in feed.all_columns], fill_value="")
    known = {c.name for c in feed.all_columns}
    extras = [c for c in frame.columns if c not in known]
    raw["extra_columns"] = (
        frame[extras].apply(lambda row: json.dumps(row.to_dict(), sort_keys=True), axis=1)
        if extras
        else None
    )
    raw.insert(0, "row_number", row_numbers)
    raw.insert(0, "batch_id", batch_id)

    staged = good.copy()
    staged.insert(0, "row_number", row_numbers.loc[good.index])
    staged.insert(0, "batch_id", batch_id)
    staged.insert(0, "source_record_id", [f"{batch_id}:{n}" for n in staged["row_number"]])

    quarantine = pd.DataFrame(
        {
            "feed": feed.name,
            "batch_id": batch_id,
            "row_number": row_numbers.loc[problems["row_index"]].to_numpy(),
            "column_name": problems["column_name"].to_numpy(),
            "reason": problems["reason"].to_numpy(),
        }
    )
    results = pd.DataFrame(
        [
            {
                "batch_id": batch_id,
                "feed": feed.name,
                "suite": checked.suite,
                "check_number": number,
                "source": r.source,
                "check_label": r.label,
                "column_name": r.column,
                "reason": r.reason,
                "success": r.success,
                "unexpected_count": r.unexpected_count,
                "rows_quarantined": len(r.row_numbers),
            }
            for number, r in enumerate(checked.results)
        ]
    )
    rows_quarantined = len(bad_index)
    con.execute("begin transaction")
    try:
        _insert(con, f"raw_{feed.name}", raw)
        _insert(con, f"stg_{feed.name}_all", staged)
        _insert(con, "quarantine_row", quarantine)
        _insert(con, "validation_result", results)
        load_seq = scalar(con, "select coalesce(max(load_seq), 0) + 1 from load_batch")
        superseded = _supersede(con, feed, path.name, batch_id, int(load_seq))  # type: ignore[arg-type]
        con.execute(
            "insert into load_batch values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                batch_id,
                feed.name,
                path.name,
                digest,
                len(frame),
                len(good),
                rows_quarantined,
                load_seq,
                loaded_at,
            ],
        )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return BatchReport(
        feed.name,
        str(path),
        batch_id,
        len(frame),
        len(good),
        rows_quarantined,
        "loaded",
        suite=checked.suite,
        checks=checked.results,
        supersedes=superseded,
    )


def _supersede(
    con: duckdb.DuckDBPyConnection, feed: Feed, file_name: str, batch_id: str, load_seq: int
) -> tuple[str, ...]:
    """A corrected file re-sent under the same name replaces the feed's current batch of
    that name (docs/contracts.md): recorded, never deleted, and read through `stg_<feed>`."""
    earlier = [
        row[0]
        for row in con.execute(
            "select batch_id from load_batch where feed = ? and file_name = ? "
            "and batch_id not in (select batch_id from load_supersession) order by load_seq",
            [feed.name, file_name],
        ).fetchall()
    ]
    for old in earlier:
        con.execute("insert into load_supersession values (?, ?, ?)", [old, batch_id, load_seq])
    return tuple(earlier)


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    if frame.empty:
        return
    con.register("_incoming", frame)
    try:
        con.execute(f"insert into {table} by name select * from _incoming")
    finally:
        con.unregister("_incoming")

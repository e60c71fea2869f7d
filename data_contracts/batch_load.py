"""Loading one batch: a new file read and checked, then written in one transaction.

Raw rows (text as received), staged rows (typed), quarantine lines and the batch's
bookkeeping are written together, so a crash or Ctrl-C never leaves half a batch; a
corrected file re-sent under the same name supersedes the earlier batch of that name, and
rows already staged from a file of another name are quarantined (docs/contracts.md).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path

import duckdb
import pandas as pd

from data_contracts.feed_reader import (
    RAGGED_COLUMN,
    FeedFileError,
    FeedTable,
    ReadOptions,
    display_name,
    read_feed_table,
)
from data_contracts.feeds import Feed
from data_contracts.file_versions import current_versions
from data_contracts.parsing import month_first_dates
from data_contracts.repeats import REPEAT_LABEL, find_repeats, record_keys, unstage
from data_contracts.validation import BatchValidation, CheckResult, validate_batches
from data_contracts.warehouse import scalar

__all__ = ["RAGGED_COLUMN", "BatchReport", "PreparedFile", "ingest_file", "load_file"]


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
    """loaded, already loaded, refused, still refused (unchanged since), or skipped."""
    error: str = ""
    """Why a file was refused tonight (one line naming the file; never a value)."""
    suite: str = ""
    checks: tuple[CheckResult, ...] = ()
    """Every check the batch went through, for the nightly's validation page."""
    supersedes: tuple[str, ...] = ()
    """Earlier batches of the same feed and file name that this corrected file replaces."""
    note: str = ""
    """Why an entry was skipped or is still refused; how a loaded file was read."""

    @classmethod
    def unloaded(
        cls, feed: str, file_name: str, status: str, note: str = "", error: str = ""
    ) -> BatchReport:
        """An inbox entry that made no batch tonight: skipped, refused, still refused."""
        return cls(feed, file_name, None, 0, 0, 0, status, error, note=note)

    def line(self) -> str:
        if self.error:  # the reason often starts with the file's name: named once here
            return f"{self.file_name}: REFUSED: {self.error.removeprefix(self.file_name + ': ')}"
        if self.status == "already loaded":
            return f"{self.file_name}: already loaded as {self.batch_id}"
        if self.status in ("skipped", "still refused"):
            return f"{self.file_name}: {self.status}: {self.note}"
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
    """A new file read and found to be a table of its feed, waiting for validation.

    A partner's file mapped by a source definition is a `SourcePreparedFile`
    (`source_ingest.py`), which adds its checks and its origin to the same batch."""

    feed: Feed
    path: Path
    digest: str
    table: FeedTable

    @property
    def batch_id(self) -> str:
        return f"{self.feed.name}-{self.digest[:16]}"

    @property
    def file_name(self) -> str:
        """The name `load_batch` records: a re-send under it supersedes this batch."""
        return display_name(self.path.name)

    @property
    def definition_key(self) -> str | None:
        """What besides the bytes decided how the file was read (`load_error`): none."""
        return None

    def read_checks(self) -> tuple[CheckResult, ...]:
        """Checks made while reading, listed before the contract's (none for a SPEC file)."""
        return ()

    def record_origin(self, con: duckdb.DuckDBPyConnection) -> None:
        """Inside the batch's transaction: where its rows came from, beyond file and line."""

    @cached_property
    def readable(self) -> pd.DataFrame:
        """Rows the reader could split into text values; the others are quarantined.
        Made once (a copy of a large file's frame per use cost seconds a night)."""
        unreadable = self.table.unreadable_rows
        return self.table.frame.drop(index=unreadable) if unreadable else self.table.frame

    @property
    def row_numbers(self) -> pd.Series:
        return pd.Series(self.readable.index, index=self.readable.index)


def prepare_file(
    con: duckdb.DuckDBPyConnection,
    feed: Feed,
    path: Path,
    seen: set[str] | None = None,
    options: ReadOptions | None = None,
) -> PreparedFile | BatchReport:
    """Read a file unless its bytes were loaded before (or earlier in this run).

    Raises FeedFileError for a whole-file problem; returns a report for a known file.
    """
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    name = display_name(path)
    already = scalar(
        con, "select 1 from load_batch where file_sha256 = ? and feed = ?", [digest, feed.name]
    )
    if already or (seen is not None and digest in seen):
        batch_id = f"{feed.name}-{digest[:16]}"
        return BatchReport(feed.name, name, batch_id, 0, 0, 0, "already loaded")
    table = read_feed_table(path, options)
    check_columns(feed, table.frame, name)
    month_first = month_first_dates(feed, table.frame)
    if month_first:
        column, row = month_first
        raise FeedFileError(
            f"{name}: dates in column {column} are month-first (row {row} reads only as"
            f" MM/DD/YYYY), so day and month would be swapped (expected YYYY-MM-DD or"
            f" DD/MM/YYYY: re-export the file)"
        )
    if seen is not None:
        seen.add(digest)
    return PreparedFile(feed, path, digest, table)


def ingest_file(
    con: duckdb.DuckDBPyConnection,
    feed: Feed,
    path: Path,
    loaded_at: datetime | None = None,
    options: ReadOptions | None = None,
) -> BatchReport:
    """Load one file as one batch (`ingest_inbox` does this for a whole inbox)."""
    loaded_at = loaded_at or datetime.now(UTC).replace(tzinfo=None)
    prepared = prepare_file(con, feed, path, options=options)
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
    feed, digest, table = prepared.feed, prepared.digest, prepared.table
    batch_id = prepared.batch_id
    frame = table.frame
    row_numbers = pd.Series(frame.index, index=frame.index)
    unreadable = pd.DataFrame(
        list(table.row_problems), columns=["row_index", "column_name", "reason"]
    )
    problems = pd.concat([unreadable, checked.problems], ignore_index=True)
    passed = checked.typed.drop(index=problems["row_index"].unique(), errors="ignore")
    raw = _raw_rows(feed, frame, batch_id)
    con.execute("begin transaction")
    try:
        _insert(con, f"stg_{feed.name}_all", _staged_rows(passed, row_numbers, batch_id))
        record_keys(con, feed, batch_id)
        repeats = find_repeats(con, feed, prepared.file_name, batch_id)
        unstage(con, feed, batch_id, [int(n) for n in repeats.lines["row_index"]])
        problems = pd.concat([problems, repeats.lines], ignore_index=True)
        problems = problems.assign(_row=row_numbers.loc[problems["row_index"]].to_numpy())
        problems = problems.sort_values("_row", kind="stable").drop(columns="_row")
        bad_index = problems["row_index"].unique()
        good = passed.drop(index=repeats.lines["row_index"], errors="ignore")
        results = (
            prepared.read_checks()
            + checked.results
            + (_repeat_result(repeats.column, repeats.lines),)
        )
        _insert(con, f"raw_{feed.name}", raw)
        _insert(con, "quarantine_row", _quarantine_rows(feed, batch_id, problems, row_numbers))
        _insert(con, "validation_result", _result_rows(feed, batch_id, checked.suite, results))
        load_seq = int(scalar(con, "select coalesce(max(load_seq), 0) + 1 from load_batch"))
        superseded = _supersede(con, feed, prepared.file_name, batch_id, load_seq)
        prepared.record_origin(con)
        con.execute(
            "insert into load_batch (batch_id, feed, file_name, file_sha256, rows_in,"
            " rows_staged, rows_quarantined, load_seq, loaded_at, read_as)"
            " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                batch_id,
                feed.name,
                prepared.file_name,
                digest,
                len(frame),
                len(good),
                len(bad_index),
                load_seq,
                loaded_at,
                table.read_as,
            ],
        )
        con.execute("commit")
    except BaseException:
        rollback(con)
        raise
    return BatchReport(
        feed.name,
        display_name(prepared.path),
        batch_id,
        len(frame),
        len(good),
        len(bad_index),
        "loaded",
        suite=checked.suite,
        checks=results,
        supersedes=superseded,
        note=table.read_as,
    )


def rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Undo the open transaction; DuckDB has already ended one that a failed or
    interrupted statement aborted, and saying so would hide the real error."""
    try:
        con.execute("rollback")
    except duckdb.Error:
        pass


def _raw_rows(feed: Feed, frame: pd.DataFrame, batch_id: str) -> pd.DataFrame:
    """Every row as text exactly as received; columns outside the contract as JSON."""
    raw = frame.reindex(columns=[c.name for c in feed.all_columns], fill_value="")
    known = {c.name for c in feed.all_columns}
    extras = [c for c in frame.columns if c not in known]
    raw["extra_columns"] = (
        frame[extras].apply(lambda row: json.dumps(row.to_dict(), sort_keys=True), axis=1)
        if extras
        else None
    )
    raw.insert(0, "row_number", frame.index.to_numpy())
    raw.insert(0, "batch_id", batch_id)
    return raw


def _staged_rows(good: pd.DataFrame, row_numbers: pd.Series, batch_id: str) -> pd.DataFrame:
    staged = good.copy()
    staged.insert(0, "row_number", row_numbers.loc[good.index])
    staged.insert(0, "batch_id", batch_id)
    staged.insert(0, "source_record_id", [f"{batch_id}:{n}" for n in staged["row_number"]])
    return staged


def _quarantine_rows(
    feed: Feed, batch_id: str, problems: pd.DataFrame, row_numbers: pd.Series
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "feed": feed.name,
            "batch_id": batch_id,
            "row_number": row_numbers.loc[problems["row_index"]].to_numpy(),
            "column_name": problems["column_name"].to_numpy(),
            "reason": problems["reason"].to_numpy(),
        }
    )


def _repeat_result(column: str, lines: pd.DataFrame) -> CheckResult:
    rows = tuple(sorted(int(n) for n in lines["row_index"]))
    return CheckResult(
        "warehouse", REPEAT_LABEL, column, "same as <file> row N", not rows, len(rows), rows
    )


def _result_rows(
    feed: Feed, batch_id: str, suite: str, results: tuple[CheckResult, ...]
) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "batch_id": batch_id,
                "feed": feed.name,
                "suite": suite,
                "check_number": number,
                "source": r.source,
                "check_label": r.label,
                "column_name": r.column,
                "reason": r.reason,
                "success": r.success,
                "unexpected_count": r.unexpected_count,
                "rows_quarantined": len(r.row_numbers),
            }
            for number, r in enumerate(results)
        ]
    )


def _supersede(
    con: duckdb.DuckDBPyConnection, feed: Feed, file_name: str, batch_id: str, load_seq: int
) -> tuple[str, ...]:
    """A corrected file re-sent under the same name (or, when its original was never
    loaded, a later renamed copy of it) replaces the feed's current versions of that file
    (data_contracts/file_versions.py, docs/contracts.md): recorded, never deleted, and
    read through `stg_<feed>`."""
    earlier = [batch for batch, _ in current_versions(con, feed.name, file_name)]
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

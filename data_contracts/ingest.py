"""Load an inbox of partner files into the warehouse: raw, staged and quarantined rows.

One file is one load batch. A file already loaded (same bytes) adds nothing; a file that
cannot be read at all is refused with a one-line reason and the other files still load.
Every row of a readable file ends up either staged or quarantined with its reasons.

This module is the inbox loop; reading a file is `feed_reader.py` and writing one batch
is `batch_load.py`. The names callers use are importable from here.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from itertools import groupby
from pathlib import Path

import duckdb

from data_contracts.batch_load import (
    BatchReport,
    PreparedFile,
    file_sha256,
    ingest_file,
    load_file,
    prepare_file,
)
from data_contracts.feed_reader import (
    FeedFileError,
    ReadOptions,
    decode_csv,
    display_name,
    read_feed_file,
)
from data_contracts.feeds import FEEDS
from data_contracts.inbox_scan import scan_inbox
from data_contracts.validation import validate_batches
from data_contracts.warehouse import is_interrupt, scalar

__all__ = [
    "BatchReport",
    "FeedFileError",
    "ReadOptions",
    "decode_csv",
    "ingest_file",
    "ingest_inbox",
    "read_feed_file",
]

log = logging.getLogger(__name__)

# Rows of one feed validated in one suite run at most: a suite run costs about half a
# second whatever its size, and a million rows keep the night's memory near 2 GiB.
VALIDATION_ROWS = 1_000_000


def inbox_files(inbox: Path) -> list[tuple[str, Path]]:
    """Every file under INBOX/<feed>/ that the nightly would try to load, in inbox order."""
    return [(e.feed or "", e.path) for e in scan_inbox(inbox) if e.action == "load"]


def ingest_inbox(
    con: duckdb.DuckDBPyConnection,
    inbox: Path,
    loaded_at: datetime | None = None,
    read_options: Mapping[str, ReadOptions] | None = None,
) -> list[BatchReport]:
    """Load every new file in the inbox; a refused file is recorded and the rest go on.

    One feed at a time: its new files are read, validated together (one suite run per
    feed, or per `VALIDATION_ROWS` rows of it, see `validate_batches`), then loaded one
    batch per transaction in inbox order, and let go before more is read, so memory holds
    about a million rows, never the whole inbox. `loaded_at` (UTC, naive) stamps every
    batch of this run; dates after its day are quarantined as in the future.
    `read_options` says how to read a feed's files (character set, delimiter, sheet) where
    detecting it is not wanted; a feed without options has each decided per file.

    No file can stop the night: whatever goes wrong with one file (even an error nobody
    foresaw) refuses that file with a one-line reason in `load_error` that names no
    value, and a refused file is not tried again until its bytes change.
    """
    if not inbox.is_dir():
        raise FeedFileError(f"{inbox}: inbox folder not found (expected INBOX/<feed>/<file>.csv)")
    loaded_at = loaded_at or datetime.now(UTC).replace(tzinfo=None)
    reports: dict[Path, BatchReport] = {}
    seen: set[str] = set()
    entries = scan_inbox(inbox)
    for entry in entries:
        if entry.action == "skip":
            name = display_name(entry.path)
            reports[entry.path] = BatchReport.unloaded(
                entry.feed or "", name, "skipped", entry.reason
            )
        elif entry.action == "refuse":
            digest = None if entry.path.is_symlink() else _digest_or_none(entry.path)
            message = f"{display_name(entry.path)}: {entry.reason}"
            reports[entry.path] = refuse(con, entry.feed, entry.path, message, loaded_at, digest)
    loadable = [entry for entry in entries if entry.action == "load"]
    for feed_name, group in groupby(loadable, key=lambda entry: entry.feed or ""):
        waiting: list[PreparedFile] = []
        waiting_rows = 0
        for entry in group:
            if waiting_rows >= VALIDATION_ROWS:
                _validate_and_load(con, waiting, loaded_at, reports)
                waiting, waiting_rows = [], 0
            options = (read_options or {}).get(feed_name)
            prepared = _prepare(con, feed_name, entry.path, seen, loaded_at, options)
            if isinstance(prepared, BatchReport):
                reports[entry.path] = prepared
            else:
                waiting.append(prepared)
                waiting_rows += len(prepared.table.frame)
        _validate_and_load(con, waiting, loaded_at, reports)
    ordered = [reports[entry.path] for entry in entries]
    for report in ordered:
        log.info(report.line())
    return ordered


def _prepare(
    con: duckdb.DuckDBPyConnection,
    feed_name: str,
    path: Path,
    seen: set[str],
    loaded_at: datetime,
    options: ReadOptions | None = None,
) -> PreparedFile | BatchReport:
    """The file read and checked for its feed, or its report (known, refused, still refused)."""
    name = display_name(path)
    digest = _digest_or_none(path)
    if digest is not None:
        earlier = earlier_refusal(con, feed_name, digest)
        if earlier is not None:
            return BatchReport.unloaded(feed_name, name, "still refused", earlier)
    feed = FEEDS.get(feed_name)
    try:
        if feed is None:
            raise FeedFileError(
                f"{name}: unknown feed folder '{feed_name}' (expected one of: {', '.join(FEEDS)})"
            )
        return prepare_file(con, feed, path, seen, options)
    except FeedFileError as error:
        return refuse(con, feed_name, path, str(error), loaded_at, digest)
    except Exception as error:  # one file must never stop the night
        _stop_if_interrupted(error)
        return refuse(con, feed_name, path, unexpected(name, "read", error), loaded_at, digest)


def _validate_and_load(
    con: duckdb.DuckDBPyConnection,
    waiting: list[PreparedFile],
    loaded_at: datetime,
    reports: dict[Path, BatchReport],
) -> None:
    """One suite run over some new files of one feed, then each file in its transaction.

    Should the shared run fail, each file is checked alone, so only the file that breaks
    the checks is refused.
    """
    if not waiting:
        return
    try:
        checked = validate_batches(
            waiting[0].feed, [(p.readable, p.row_numbers) for p in waiting], loaded_at.date()
        )
    except Exception as error:  # one file must never stop the night
        _stop_if_interrupted(error)
        if len(waiting) > 1:
            for prepared in waiting:
                _validate_and_load(con, [prepared], loaded_at, reports)
            return
        [prepared] = waiting
        message = unexpected(display_name(prepared.path), "checked", error)
        reports[prepared.path] = _refuse_prepared(con, prepared, message, loaded_at)
        return
    for prepared, validation in zip(waiting, checked, strict=True):
        try:
            reports[prepared.path] = load_file(con, prepared, validation, loaded_at)
        except Exception as error:  # one file must never stop the night
            _stop_if_interrupted(error)
            message = unexpected(display_name(prepared.path), "written", error)
            reports[prepared.path] = _refuse_prepared(con, prepared, message, loaded_at)


def _stop_if_interrupted(error: Exception) -> None:
    """Ctrl-C stops the night (the open batch was rolled back); it never refuses a file."""
    if is_interrupt(error):
        raise KeyboardInterrupt from error


def _refuse_prepared(
    con: duckdb.DuckDBPyConnection, prepared: PreparedFile, message: str, loaded_at: datetime
) -> BatchReport:
    feed = prepared.feed.name
    return refuse(con, feed, prepared.path, message, loaded_at, prepared.digest)


def unexpected(name: str, stage: str, error: BaseException) -> str:
    """One line for an error nobody foresaw: its kind, never its text, which may quote a
    value from the file (a conversion error once printed an NHS number into a log)."""
    if isinstance(error, OSError):
        return f"{name}: could not be {stage} ({(error.strerror or type(error).__name__).lower()})"
    return (
        f"{name}: could not be {stage} ({type(error).__name__}); nothing of it was loaded,"
        " the other files were"
    )


def _digest_or_none(path: Path) -> str | None:
    try:
        return file_sha256(path)
    except OSError:
        return None


def earlier_refusal(con: duckdb.DuckDBPyConnection, feed: str | None, digest: str) -> str | None:
    """Why these bytes were refused before for this feed folder, if they were."""
    found = scalar(
        con,
        "select error from load_error where file_sha256 = ? and feed is not distinct from ?"
        " order by loaded_at limit 1",
        [digest, feed or None],
    )
    return None if found is None else str(found)


def refuse(
    con: duckdb.DuckDBPyConnection,
    feed: str | None,
    path: Path,
    message: str,
    loaded_at: datetime,
    digest: str | None,
) -> BatchReport:
    """Record a refused file once; the same bytes are not tried again, and a file that
    could not even be read is retried (and recorded again only if the reason changes)."""
    name = display_name(path)
    if digest is not None:
        earlier = earlier_refusal(con, feed, digest)
        if earlier is not None:
            return BatchReport.unloaded(feed or "", name, "still refused", earlier)
    recorded = scalar(
        con,
        "select 1 from load_error where file_sha256 is null and file_name = ? and error = ?",
        [name, message],
    )
    if digest is not None or not recorded:
        con.execute(
            "insert into load_error values (?, ?, ?, ?, ?)",
            [feed or None, name, digest, message, loaded_at],
        )
    return BatchReport.unloaded(feed or "", name, "refused", error=message)

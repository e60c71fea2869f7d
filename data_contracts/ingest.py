"""Load an inbox of partner files into the warehouse: raw, staged and quarantined rows.

One file is one load batch. A file already loaded (same bytes) adds nothing; a file that
cannot be read at all is refused with a one-line reason and the other files still load.
Every row of a readable file ends up either staged or quarantined with its reasons.

This module is the inbox loop; reading a file is `feed_reader.py` and writing one batch
is `batch_load.py`. The names callers use are importable from here.
"""

from __future__ import annotations

import logging
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
from data_contracts.feed_reader import FeedFileError, decode_csv, read_feed_file
from data_contracts.feeds import FEEDS
from data_contracts.validation import validate_batches

__all__ = [
    "BatchReport",
    "FeedFileError",
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
    """Every file under INBOX/<feed>/, in a stable order so batch numbering is repeatable."""
    found = []
    for path in sorted(inbox.glob("*/*")):
        if path.is_file() and not path.name.startswith("."):
            found.append((path.parent.name.lower(), path))
    return found


def ingest_inbox(
    con: duckdb.DuckDBPyConnection, inbox: Path, loaded_at: datetime | None = None
) -> list[BatchReport]:
    """Load every new file in the inbox; a refused file is recorded and the rest go on.

    One feed at a time: its new files are read, validated together (one suite run per
    feed, or per `VALIDATION_ROWS` rows of it, see `validate_batches`), then loaded one
    batch per transaction in inbox order, and let go before more is read, so memory holds
    about a million rows, never the whole inbox. `loaded_at` (UTC, naive) stamps every
    batch of this run; dates after its day are quarantined as in the future.
    """
    if not inbox.is_dir():
        raise FeedFileError(f"{inbox}: inbox folder not found (expected INBOX/<feed>/<file>.csv)")
    loaded_at = loaded_at or datetime.now(UTC).replace(tzinfo=None)
    reports: dict[Path, BatchReport] = {}
    seen: set[str] = set()
    files = inbox_files(inbox)
    for feed_name, paths in groupby(files, key=lambda item: item[0]):
        waiting: list[PreparedFile] = []
        waiting_rows = 0
        for _, path in paths:
            if waiting_rows >= VALIDATION_ROWS:
                _validate_and_load(con, waiting, loaded_at, reports)
                waiting, waiting_rows = [], 0
            feed = FEEDS.get(feed_name)
            try:
                if feed is None:
                    raise FeedFileError(
                        f"{path}: unknown feed folder '{feed_name}' (expected one of: "
                        f"{', '.join(FEEDS)})"
                    )
                prepared = prepare_file(con, feed, path, seen)
            except FeedFileError as error:
                reports[path] = _refuse(con, feed_name, path, error, loaded_at)
                continue
            if isinstance(prepared, BatchReport):
                reports[path] = prepared
            else:
                waiting.append(prepared)
                waiting_rows += len(prepared.table.frame)
        _validate_and_load(con, waiting, loaded_at, reports)
    ordered = [reports[path] for _, path in files]
    for report in ordered:
        log.info(report.line())
    return ordered


def _validate_and_load(
    con: duckdb.DuckDBPyConnection,
    waiting: list[PreparedFile],
    loaded_at: datetime,
    reports: dict[Path, BatchReport],
) -> None:
    """One suite run over some new files of one feed, then each file in its transaction."""
    if not waiting:
        return
    checked = validate_batches(
        waiting[0].feed, [(p.readable, p.row_numbers) for p in waiting], loaded_at.date()
    )
    for prepared, validation in zip(waiting, checked, strict=True):
        reports[prepared.path] = load_file(con, prepared, validation, loaded_at)


def _refuse(
    con: duckdb.DuckDBPyConnection,
    feed_name: str,
    path: Path,
    error: FeedFileError,
    loaded_at: datetime,
) -> BatchReport:
    con.execute(
        "insert into load_error values (?, ?, ?, ?, ?)",
        [feed_name, str(path), file_sha256(path), str(error), loaded_at],
    )
    return BatchReport(feed_name, str(path), None, 0, 0, 0, "refused", str(error))

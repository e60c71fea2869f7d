"""Refused files: recorded once in `load_error`, told in one line that names no value.

A refusal is remembered by the file's bytes (and, for a partner's file, its definitions'
fingerprint), so the same bytes are not read again every night; a file that could not even
be read is tried again, and recorded again only if the reason changes.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb

from data_contracts.batch_load import BatchReport, file_sha256
from data_contracts.feed_reader import display_name
from data_contracts.file_versions import copy_refusal, is_copy, original_name
from data_contracts.warehouse import scalar


def unexpected(name: str, stage: str, error: BaseException) -> str:
    """One line for an error nobody foresaw: its kind, never its text, which may quote a
    value from the file (a conversion error once printed an NHS number into a log)."""
    if isinstance(error, OSError):
        return f"{name}: could not be {stage} ({(error.strerror or type(error).__name__).lower()})"
    return (
        f"{name}: could not be {stage} ({type(error).__name__}); nothing of it was loaded,"
        " the other files were"
    )


def digest_or_none(path: Path) -> str | None:
    try:
        return file_sha256(path)
    except OSError:
        return None


def earlier_refusal(
    con: duckdb.DuckDBPyConnection,
    feed: str | None,
    digest: str,
    definition_key: str | None = None,
) -> str | None:
    """Why these bytes were refused before for this feed folder (and, for a partner's
    file, under the same definitions), if they were."""
    found = scalar(
        con,
        "select error from load_error where file_sha256 = ? and feed is not distinct from ?"
        " and definition_sha256 is not distinct from ? order by loaded_at limit 1",
        [digest, feed or None, definition_key],
    )
    return None if found is None else str(found)


def refuse(
    con: duckdb.DuckDBPyConnection,
    feed: str | None,
    path: Path,
    message: str,
    loaded_at: datetime,
    digest: str | None,
    definition_key: str | None = None,
) -> BatchReport:
    """Record a refused file once; the same bytes are not tried again, and a file that
    could not even be read is retried (and recorded again only if the reason changes)."""
    name = display_name(path)
    if digest is not None:
        earlier = earlier_refusal(con, feed, digest, definition_key)
        if earlier is not None:
            return BatchReport.unloaded(feed or "", name, "still refused", earlier)
    recorded = scalar(
        con,
        "select 1 from load_error where file_sha256 is null and file_name = ? and error = ?",
        [name, message],
    )
    if digest is not None or not recorded:
        con.execute(
            "insert into load_error (feed, file_name, file_sha256, error, loaded_at,"
            " definition_sha256) values (?, ?, ?, ?, ?, ?)",
            [feed or None, name, digest, message, loaded_at, definition_key],
        )
    return BatchReport.unloaded(feed or "", name, "refused", error=message)


def refused_copy(
    con: duckdb.DuckDBPyConnection,
    feed: str,
    path: Path,
    file_name: str,
    digest: str,
    definition_key: str | None,
    tonight: tuple[set[str], set[str]],
    loaded_at: datetime,
) -> BatchReport | None:
    """The report of a renamed copy that must not load (data_contracts/file_versions.py):
    its original is loaded or in the inbox tonight. None for any other file, and for a
    copy whose bytes are loaded already (`already loaded`, as any such file).

    `tonight`: the recorded names of the feed's files in this run, and the bytes (sha256)
    read so far. The refusal is remembered for these bytes under this copy's original
    only, so the same bytes sent under the original name load as its correction.
    """
    if not is_copy(file_name):
        return None
    copy_key = f"copy of {original_name(file_name)}|{definition_key or ''}"
    earlier = earlier_refusal(con, feed, digest, copy_key)
    if earlier is not None:
        return BatchReport.unloaded(feed, display_name(path), "still refused", earlier)
    names, digests = tonight
    known = scalar(
        con, "select 1 from load_batch where file_sha256 = ? and feed = ?", [digest, feed]
    )
    if digest in digests or known:
        return None
    reason = copy_refusal(con, feed, file_name, names)
    if reason is None:
        return None
    return refuse(con, feed, path, reason, loaded_at, digest, copy_key)

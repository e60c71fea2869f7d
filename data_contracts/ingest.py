"""Load an inbox of partner files into the warehouse: raw, staged and quarantined rows.

One file is one load batch. A file already loaded (same bytes) adds nothing; a file that
cannot be read at all is refused with a one-line reason and the other files still load.
Every row of a readable file ends up either staged or quarantined with its reasons.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from data_contracts.feeds import FEEDS, Feed
from data_contracts.parsing import parse_column, term_end
from data_contracts.warehouse import scalar

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".csv", ".xlsx")
FIRST_DATA_ROW = 2
"""Row numbers are the file's own line numbers: the header is row 1, as in a spreadsheet."""


class FeedFileError(ValueError):
    """A whole file cannot be loaded; the message is one line naming the file and the fix."""


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

    def line(self) -> str:
        if self.error:
            return f"{self.file_name}: REFUSED: {self.error}"
        return (
            f"{self.file_name}: {self.status}: {self.rows_in} rows in = {self.rows_staged} staged"
            f" + {self.rows_quarantined} quarantined"
        )


def decode_csv(data: bytes, file_name: str) -> str:
    """UTF-8 (with or without BOM) first, then Windows-1252, as SPEC section 1 allows."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FeedFileError(f"{file_name}: unknown text encoding (expected UTF-8 or Windows-1252)")


def read_feed_file(path: Path) -> pd.DataFrame:
    """Read one file as text columns with lower-case names; refuse what is not a table."""
    name = str(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise FeedFileError(f"{name}: not a CSV or XLSX file (expected .csv or .xlsx)")
    data = path.read_bytes()
    if not data.strip():
        raise FeedFileError(f"{name}: empty file (expected a header row and data rows)")
    try:
        if suffix == ".csv":
            frame = pd.read_csv(
                io.StringIO(decode_csv(data, name)),
                dtype=str,
                keep_default_na=False,
                skipinitialspace=False,
            )
        else:
            frame = pd.read_excel(io.BytesIO(data), sheet_name=0, dtype=str, engine="openpyxl")
            frame = frame.fillna("")
    except FeedFileError:
        raise
    except Exception as error:  # pandas raises many types for a malformed table
        kind = "CSV" if suffix == ".csv" else "XLSX workbook"
        first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise FeedFileError(f"{name}: unreadable {kind} ({first_line})") from None
    frame.columns = [str(column).strip().lower() for column in frame.columns]
    return frame


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


def validate_rows(feed: Feed, frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Typed rows that pass the contract, and one quarantine line per failing value."""
    typed = pd.DataFrame(index=frame.index)
    problems: list[pd.DataFrame] = []
    for column in feed.all_columns:
        text = (
            frame[column.name]
            if column.name in frame.columns
            else pd.Series("", index=frame.index, dtype=object)
        )
        text = text.astype(str)
        values, bad, reason = parse_column(column, text)
        typed[column.name] = values
        if column.required:
            missing = text.str.strip().eq("")
            problems.append(_problem_rows(missing, column.name, "missing required value"))
        problems.append(_problem_rows(bad, column.name, reason))
    for check in ROW_CHECKS.get(feed.name, ()):
        problems.append(check(typed))
    quarantine = pd.concat(problems, ignore_index=True)
    return typed, quarantine


def _problem_rows(mask: pd.Series, column: str, reason: str) -> pd.DataFrame:
    rows = mask[mask.fillna(False).astype(bool)].index
    return pd.DataFrame({"row_index": rows, "column_name": column, "reason": reason})


def _attendance_sessions_add_up(typed: pd.DataFrame) -> pd.DataFrame:
    absent = typed["sessions_authorised_absence"] + typed["sessions_unauthorised_absence"]
    over = (absent > typed["sessions_possible"]).fillna(False)
    return _problem_rows(
        over,
        "sessions_unauthorised_absence",
        "authorised + unauthorised absence exceeds sessions_possible",
    )


def _end_not_before_start(typed: pd.DataFrame) -> pd.DataFrame:
    start = pd.to_datetime(typed["start_date"])
    end = pd.to_datetime(typed["end_date"])
    return _problem_rows((end < start).fillna(False), "end_date", "end_date before start_date")


def _closed_not_before_opened(typed: pd.DataFrame) -> pd.DataFrame:
    opened = pd.to_datetime(typed["opened_date"])
    closed = pd.to_datetime(typed["closed_date"])
    return _problem_rows(
        (closed < opened).fillna(False), "closed_date", "closed_date before opened_date"
    )


ROW_CHECKS = {
    "attendance": (_attendance_sessions_add_up,),
    "csc": (_end_not_before_start,),
    "eh_cases": (_closed_not_before_opened,),
}


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def ingest_file(con: duckdb.DuckDBPyConnection, feed: Feed, path: Path) -> BatchReport:
    """Load one file as one batch, in one transaction so a crash leaves no half batch."""
    digest = file_sha256(path)
    batch_id = f"{feed.name}-{digest[:16]}"
    already = scalar(
        con, "select 1 from load_batch where file_sha256 = ? and feed = ?", [digest, feed.name]
    )
    if already:
        return BatchReport(feed.name, str(path), batch_id, 0, 0, 0, "already loaded")
    frame = read_feed_file(path)
    check_columns(feed, frame, str(path))
    typed, problems = validate_rows(feed, frame)
    row_numbers = pd.Series(range(FIRST_DATA_ROW, FIRST_DATA_ROW + len(frame)), index=frame.index)
    bad_index = problems["row_index"].unique()
    good = typed.drop(index=bad_index)

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
    if feed.name == "attendance":
        staged["term_end"] = term_end(good["academic_year"], good["term"])
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
    rows_quarantined = len(bad_index)
    con.execute("begin transaction")
    try:
        _insert(con, f"raw_{feed.name}", raw)
        _insert(con, f"stg_{feed.name}", staged)
        _insert(con, "quarantine_row", quarantine)
        load_seq = scalar(con, "select coalesce(max(load_seq), 0) + 1 from load_batch")
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
                datetime.now(UTC).replace(tzinfo=None),
            ],
        )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return BatchReport(
        feed.name, str(path), batch_id, len(frame), len(good), rows_quarantined, "loaded"
    )


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    if frame.empty:
        return
    con.register("_incoming", frame)
    try:
        con.execute(f"insert into {table} by name select * from _incoming")
    finally:
        con.unregister("_incoming")


def inbox_files(inbox: Path) -> list[tuple[str, Path]]:
    """Every file under INBOX/<feed>/, in a stable order so batch numbering is repeatable."""
    found = []
    for path in sorted(inbox.glob("*/*")):
        if path.is_file() and not path.name.startswith("."):
            found.append((path.parent.name.lower(), path))
    return found


def ingest_inbox(con: duckdb.DuckDBPyConnection, inbox: Path) -> list[BatchReport]:
    """Load every new file in the inbox; a refused file is recorded and the rest go on."""
    if not inbox.is_dir():
        raise FeedFileError(f"{inbox}: inbox folder not found (expected INBOX/<feed>/<file>.csv)")
    reports = []
    for feed_name, path in inbox_files(inbox):
        feed = FEEDS.get(feed_name)
        try:
            if feed is None:
                raise FeedFileError(
                    f"{path}: unknown feed folder '{feed_name}' (expected one of "
                    f"{', '.join(FEEDS)})"
                )
            report = ingest_file(con, feed, path)
        except FeedFileError as error:
            con.execute(
                "insert into load_error values (?, ?, ?, ?, ?)",
                [
                    feed_name,
                    str(path),
                    file_sha256(path),
                    str(error),
                    datetime.now(UTC).replace(tzinfo=None),
                ],
            )
            report = BatchReport(feed_name, str(path), None, 0, 0, 0, "refused", str(error))
        log.info(report.line())
        reports.append(report)
    return reports

"""Load an inbox of partner files into the warehouse: raw, staged and quarantined rows.

One file is one load batch. A file already loaded (same bytes) adds nothing; a file that
cannot be read at all is refused with a one-line reason and the other files still load.
Every row of a readable file ends up either staged or quarantined with its reasons.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pandas as pd

from data_contracts.feeds import FEEDS, Feed
from data_contracts.validation import BatchValidation, CheckResult, validate_batches
from data_contracts.warehouse import scalar

if TYPE_CHECKING:
    from data_contracts.source_definitions import SourceCatalogue

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".csv", ".xlsx")
RAGGED_COLUMN = "(whole row)"


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


def decode_csv(data: bytes, file_name: str) -> str:
    """UTF-8 (with or without BOM) first, then Windows-1252, as SPEC section 1 allows.

    A NUL byte means UTF-16 or a binary file (a workbook renamed .csv): Windows-1252 would
    decode it into nonsense, so it is refused here instead of failing later on columns.
    """
    if b"\x00" in data:
        raise FeedFileError(f"{file_name}: unknown text encoding (expected UTF-8 or Windows-1252)")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FeedFileError(f"{file_name}: unknown text encoding (expected UTF-8 or Windows-1252)")


@dataclass(frozen=True)
class FeedTable:
    """A file's rows as text, indexed by spreadsheet row number (the header is row 1).

    `ragged` maps a row number to how many fields that row had when it did not have one
    per header column: such a row cannot be read column by column, so it is quarantined
    whole while the rest of the file loads.
    """

    frame: pd.DataFrame
    ragged: dict[int, int]


def read_feed_table(path: Path, delimiter: str = ",", sheet: str | int = 0) -> FeedTable:
    """Read one file as text with lower-case column names; refuse what is not a table.

    `delimiter` (CSV) and `sheet` (XLSX, a name or position) are the reader options a
    source definition sets (data_contracts/source_definitions.py); SPEC feeds use the
    defaults: commas, the first sheet.
    """
    name = str(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise FeedFileError(f"{name}: not a CSV or XLSX file (expected .csv or .xlsx)")
    data = path.read_bytes()
    if not data.strip():
        raise FeedFileError(f"{name}: empty file (expected a header row and data rows)")
    try:
        if suffix == ".csv":
            header, records = _csv_records(decode_csv(data, name), delimiter)
        else:
            header, records = _xlsx_records(data, sheet)
    except FeedFileError:
        raise
    except Exception as error:  # the readers raise many types for a malformed table
        kind = "CSV" if suffix == ".csv" else "XLSX workbook"
        first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise FeedFileError(f"{name}: unreadable {kind} ({first_line})") from None
    if not header:
        raise FeedFileError(f"{name}: empty file (expected a header row and data rows)")
    if not any(cell.strip() for cell in header):
        raise FeedFileError(f"{name}: no column names in row 1 (expected a header row)")
    width = len(header)
    ragged = {number: len(fields) for number, fields in records if len(fields) != width}
    rows = [
        (number, fields if len(fields) == width else (fields + [""] * width)[:width])
        for number, fields in records
    ]
    frame = pd.DataFrame(
        [fields for _, fields in rows],
        index=pd.Index([number for number, _ in rows], dtype="int64"),
        columns=[cell.strip().lower() for cell in header],
        dtype="str",
    )
    return FeedTable(frame, ragged)


def _csv_records(text: str, delimiter: str = ",") -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and (row number, fields) for every record that holds any value."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header: list[str] = []
    records = []
    try:
        for number, fields in enumerate(reader, start=1):
            if number == 1:
                header = fields
            elif any(field.strip() for field in fields):
                records.append((number, fields))
    except csv.Error as error:
        raise ValueError(f"{error} at line {reader.line_num}") from None
    return header, records


def _xlsx_records(
    data: bytes, sheet_name: str | int = 0
) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """One sheet (the first by default), cells as text (an Excel date cell as ISO)."""
    sheet = pd.read_excel(
        io.BytesIO(data), sheet_name=sheet_name, header=None, dtype=str, engine="openpyxl"
    )
    sheet = sheet.fillna("")
    if sheet.empty:
        return [], []
    header = [str(cell) for cell in sheet.iloc[0]]
    records = []
    for offset, values in enumerate(sheet.iloc[1:].itertuples(index=False), start=2):
        fields = [str(value) for value in values]
        if any(field.strip() for field in fields):
            records.append((offset, fields))
    return header, records


def read_feed_file(path: Path) -> pd.DataFrame:
    """The readable rows of one file (see `read_feed_table`)."""
    return read_feed_table(path).frame


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


# Rows of one feed validated in one suite run at most: a suite run costs about half a
# second whatever its size, and a million rows keep the night's memory near 2 GiB.
VALIDATION_ROWS = 1_000_000


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
    from data_contracts.source_ingest import record_source_batch, with_source_problems

    checked = with_source_problems(prepared, checked)  # source layer hook
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
        record_source_batch(con, prepared, batch_id)  # source layer hook
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


def ingest_inbox(
    con: duckdb.DuckDBPyConnection,
    inbox: Path,
    loaded_at: datetime | None = None,
    reload_stale: bool = False,
    sources: SourceCatalogue | None = None,
) -> list[BatchReport]:
    """Load every new file in the inbox; a refused file is recorded and the rest go on.

    One feed at a time: its new files are read, validated together (one suite run per
    feed, or per `VALIDATION_ROWS` rows of it, see `validate_batches`), then loaded one
    batch per transaction in inbox order, and let go before more is read, so memory holds
    about a million rows, never the whole inbox. `loaded_at` (UTC, naive) stamps every
    batch of this run; dates after its day are quarantined as in the future. A file in a
    source folder is mapped by its definition (`sources`, default: the shipped ones and
    $SFP_SOURCES); `reload_stale` loads again a file loaded under an earlier definition.
    """
    from data_contracts.source_ingest import prepare_source_file, route_inbox

    if not inbox.is_dir():
        raise FeedFileError(f"{inbox}: inbox folder not found (expected INBOX/<feed>/<file>.csv)")
    loaded_at = loaded_at or datetime.now(UTC).replace(tzinfo=None)
    reports: dict[tuple[str, Path], BatchReport] = {}
    seen: set[str] = set()
    files = route_inbox(con, inbox, sources)  # source layer hook
    for feed_name, entries in groupby(files, key=lambda entry: entry.feed):
        waiting: list[PreparedFile] = []
        waiting_rows = 0
        for entry in entries:
            path = entry.path
            if waiting_rows >= VALIDATION_ROWS:
                _validate_and_load(con, waiting, loaded_at, reports)
                waiting, waiting_rows = [], 0
            feed = FEEDS.get(feed_name)
            try:
                if entry.refusal:
                    raise FeedFileError(entry.refusal)
                if feed is None:
                    raise FeedFileError(
                        f"{path}: unknown feed folder '{feed_name}' (expected one of: "
                        f"{', '.join(FEEDS)})"
                    )
                if entry.source is None:
                    prepared = prepare_file(con, feed, path, seen)
                else:  # source layer hook
                    prepared = prepare_source_file(
                        con, feed, entry.source, path, seen, reload_stale
                    )
            except FeedFileError as error:
                reports[feed_name, path] = _refuse(con, feed_name, path, error, loaded_at)
                continue
            if isinstance(prepared, BatchReport):
                reports[feed_name, path] = prepared
            else:
                waiting.append(prepared)
                waiting_rows += len(prepared.table.frame)
        _validate_and_load(con, waiting, loaded_at, reports)
    ordered = [reports[entry.feed, entry.path] for entry in files]
    for report in ordered:
        log.info(report.line())
    return ordered


def _validate_and_load(
    con: duckdb.DuckDBPyConnection,
    waiting: list[PreparedFile],
    loaded_at: datetime,
    reports: dict[tuple[str, Path], BatchReport],
) -> None:
    """One suite run over some new files of one feed, then each file in its transaction."""
    if not waiting:
        return
    checked = validate_batches(
        waiting[0].feed, [(p.readable, p.row_numbers) for p in waiting], loaded_at.date()
    )
    for prepared, validation in zip(waiting, checked, strict=True):
        reports[prepared.feed.name, prepared.path] = load_file(con, prepared, validation, loaded_at)


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

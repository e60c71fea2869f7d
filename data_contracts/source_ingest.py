"""The source layer in the nightly ingest: which definition a file follows, and its batch.

`data_contracts/ingest.py` plans the inbox (a file in a source folder goes to the
definition it matches, `source_match.choose_definition`, once per feed it fills), reads and
maps a routed file with `prepare_source_file`, and loads it with the same `load_file` as
any other: the mapping's quarantine lines join the contract's through the batch's table,
and `SourcePreparedFile` adds its checks and records the definition's fingerprint in
`load_source` (and for a source of several tables, each row's table and line in
`load_source_row`) in the batch's transaction. A later nightly can so say which batches
were loaded under an earlier definition, and `sfp nightly --rebuild` reloads them
(docs/sources.md).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from data_contracts.batch_load import BatchReport, PreparedFile, check_columns, file_sha256
from data_contracts.feed_reader import (
    RAGGED_COLUMN,
    FeedFileError,
    FeedTable,
    display_name,
)
from data_contracts.feeds import Feed
from data_contracts.parsing import month_first_dates
from data_contracts.source_catalogue import SourceCatalogue
from data_contracts.source_definitions import FeedMapping, SourceDefinition
from data_contracts.source_mapping import MappedFeed, map_feed
from data_contracts.source_tables import query_tables, read_as, read_source_tables
from data_contracts.source_values import DEFAULT_DATE_FORMATS, day_first, without_time
from data_contracts.validation import CheckResult

Problem = tuple[int, str, str]
"""(row, column, reason): one quarantine line, as `FeedTable.row_problems` holds them."""


def folder_key(definitions: list[SourceDefinition]) -> str:
    """The definitions a source folder's file was tried against, hashed: a refusal for
    matching none is not retried until the file or one of them changes."""
    text = ",".join(sorted(d.fingerprint for d in definitions))
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class SourcePreparedFile(PreparedFile):
    """A routed file read and mapped onto one feed, waiting for validation."""

    source: SourceDefinition | None = None
    mapping: FeedMapping | None = None
    checks: tuple[CheckResult, ...] = ()
    """One per kind of line the reading or the mapping quarantined (the validation page)."""
    origin: pd.DataFrame | None = None
    """For rows built by a query over several tables: `_table`, `_line` per row."""

    @property
    def definition(self) -> SourceDefinition:
        assert self.source is not None
        return self.source

    @property
    def batch_id(self) -> str:
        """File bytes and definition together: the same file under a changed definition
        is a different batch, which is how `--rebuild` can load it again."""
        return source_batch_id(self.feed.name, self.digest, self.definition)

    @property
    def file_name(self) -> str:
        """`<folder>/<file>`: two partners' folders (or a partner's and a SPEC folder) may
        both fill a feed with files of one name, and neither supersedes the other."""
        return f"{self.definition.folder}/{display_name(self.path.name)}"

    @property
    def definition_key(self) -> str | None:
        return self.definition.fingerprint

    def read_checks(self) -> tuple[CheckResult, ...]:
        return self.checks

    def record_origin(self, con: duckdb.DuckDBPyConnection) -> None:
        """The definition the batch was loaded under, and each row's table and line."""
        assert self.mapping is not None
        table = "query" if self.mapping.sql else self.mapping.table
        con.execute(
            "insert into load_source values (?, ?, ?, ?, ?)",
            [
                self.batch_id,
                self.definition.name,
                self.definition.fingerprint,
                display_name(self.path.parent.name),
                table,
            ],
        )
        if self.origin is not None and len(self.origin):
            rows = pd.DataFrame(
                {
                    "batch_id": self.batch_id,
                    "row_number": self.origin.index.to_numpy(dtype="int64"),
                    "source_table": self.origin["_table"].astype("str").to_numpy(),
                    "source_line": self.origin["_line"].to_numpy(dtype="int64"),
                }
            )
            con.register("_source_rows", rows)
            try:
                con.execute("insert into load_source_row select * from _source_rows")
            finally:
                con.unregister("_source_rows")


def source_batch_id(feed: str, digest: str, definition: SourceDefinition) -> str:
    key = f"{digest}:{definition.fingerprint}".encode()
    return f"{feed}-{hashlib.sha256(key).hexdigest()[:16]}"


@dataclass(frozen=True)
class StaleBatchReport(BatchReport):
    """A file already loaded, but under an earlier version of its source definition."""

    source: str = ""

    def line(self) -> str:
        return (
            f"{self.file_name}: already loaded as {self.batch_id} under an earlier definition"
            f" of source {self.source}; `sfp nightly --rebuild` reloads it"
        )


def prepare_source_file(
    con: duckdb.DuckDBPyConnection,
    feed: Feed,
    definition: SourceDefinition,
    path: Path,
    seen: set[str] | None = None,
    reload_stale: bool = False,
) -> SourcePreparedFile | BatchReport:
    """Read and map a file unless these bytes were loaded under this definition.

    Raises FeedFileError for a whole-file problem (unreadable, a column the feed needs
    missing, month-first dates); returns a report for a file already loaded.
    """
    name = display_name(path)
    digest = file_sha256(path)
    batch_id = source_batch_id(feed.name, digest, definition)
    loaded = con.execute(
        "select b.batch_id, s.definition_sha256 from load_batch b"
        " join load_source s using (batch_id)"
        " where b.file_sha256 = ? and b.feed = ? order by b.load_seq",
        [digest, feed.name],
    ).fetchall()
    if any(fp == definition.fingerprint for _, fp in loaded) or (
        seen is not None and batch_id in seen
    ):
        return BatchReport(feed.name, name, batch_id, 0, 0, 0, "already loaded")
    if loaded and not reload_stale:
        return StaleBatchReport(
            feed.name, name, loaded[-1][0], 0, 0, 0, "already loaded", source=definition.name
        )
    mapping = next(m for m in definition.feeds if m.feed == feed.name)
    table, _, origin, checks = read_and_map(path, definition, mapping)
    check_columns(feed, table.frame, name)
    if seen is not None:
        seen.add(batch_id)
    return SourcePreparedFile(feed, path, digest, table, definition, mapping, checks, origin)


def read_and_map(
    path: Path, definition: SourceDefinition, mapping: FeedMapping, first_lines: int | None = None
) -> tuple[FeedTable, MappedFeed, pd.DataFrame | None, tuple[CheckResult, ...]]:
    """A file's rows for one feed, mapped: (table for the contract, the mapping, row
    origins, the checks that quarantined lines).

    The table's `row_problems` are every line the reading or the mapping could not turn
    into the feed's columns: a line the reader could not read (the wrong number of
    fields, a NUL character, an over-long value, bytes not valid text) with the reader's
    reason alone, then every value the mapping could not turn. `load_file` quarantines
    them with the contract's lines in the batch's one transaction. `first_lines`: only
    that many lines of a one-table text file (`sfp sources check`)."""
    name = display_name(path)
    wanted = tuple(t.name for t in definition.tables) if mapping.sql else (mapping.table,)
    tables = read_source_tables(
        path, definition, wanted if definition.tables else (), first_lines=first_lines
    )
    origin = None
    if mapping.sql:
        rows, origin = query_tables(definition, mapping, tables, name)
        unreadable = _problems_of_origins(origin, tables)
    else:
        source = tables[mapping.table or ""]
        rows = source.frame
        unreadable = list(source.row_problems)
    mapped = map_feed(rows, mapping, definition, name)
    _refuse_month_first(mapping, mapped, rows, name)
    broken = {row for row, _, _ in unreadable}
    mapping_lines = [
        (int(row), str(column), str(reason))
        for row, column, reason in mapped.problems[
            ["row_index", "column_name", "reason"]
        ].itertuples(index=False)
        if int(row) not in broken
    ]
    frame = mapped.frame
    frame.columns = [str(c).lower() for c in frame.columns]
    problems = sorted(unreadable + mapping_lines, key=lambda line: line[0])
    how = f"source {definition.name} ({definition.fingerprint[:12]}): {read_as(tables)}"
    checks = _checks(definition, unreadable, mapping_lines)
    return FeedTable(frame, tuple(problems), how), mapped, origin, checks


def _problems_of_origins(origin: pd.DataFrame, tables: dict[str, FeedTable]) -> list[Problem]:
    """The reader's lines for rows a query built from lines it could not read."""
    by_line: dict[tuple[str, int], list[tuple[str, str]]] = {}
    for table_name, table in tables.items():
        for line, column, reason in table.row_problems:
            by_line.setdefault((table_name, line), []).append((column, reason))
    if not by_line:
        return []
    return [
        (int(row), column, reason)
        for row, table_name, line in origin.itertuples()
        for column, reason in by_line.get((str(table_name), int(line)), [])
    ]


def _refuse_month_first(
    mapping: FeedMapping, mapped: MappedFeed, rows: pd.DataFrame, name: str
) -> None:
    """A date column read day-first whose partner wrote it month-first would load with
    day and month swapped wherever both are 12 or less: the file is refused, as a SPEC
    file is (`parsing.month_first_dates`). A definition naming a month-first format
    (`%m/%d/%Y`) has said how its partner writes dates and is read as it says."""
    if not day_first(mapping.date_formats or DEFAULT_DATE_FORMATS):
        return
    copied = {
        column: source
        for column, source in mapped.found.items()
        if source in rows.columns and column in {c.name for c in mapping.contract.all_columns}
    }
    if not copied:
        return
    text = pd.DataFrame({c: without_time(rows[s].astype("str")) for c, s in copied.items()})
    found = month_first_dates(mapping.contract, text)
    if found:
        column, row = found
        raise FeedFileError(
            f"{name}: dates in column {copied[column]} are month-first (row {row} reads only"
            f" as MM/DD/YYYY), so day and month would be swapped (expected the source's date"
            f" formats: re-export the file, or name a month-first format in the definition)"
        )


def _checks(
    definition: SourceDefinition, unreadable: list[Problem], mapping_lines: list[Problem]
) -> tuple[CheckResult, ...]:
    """One check per column and kind of line, for the validation page."""
    source = definition.name
    groups: dict[tuple[str, str, str], set[int]] = {}
    for row, column, _ in unreadable:
        if column == RAGGED_COLUMN:
            key = (f"one field per column in source {source}", column, "a line of the wrong width")
        else:
            key = (f"{column} readable in source {source}", column, "a value that is not text")
        groups.setdefault(key, set()).add(row)
    for row, column, _ in mapping_lines:
        key = (f"{column} mapped by source {source}", column, f"a value source {source} cannot map")
        groups.setdefault(key, set()).add(row)
    return tuple(
        CheckResult("source", label, column, reason, False, len(rows), tuple(sorted(rows)))
        for (label, column, reason), rows in groups.items()
    )


def stale_batches(
    con: duckdb.DuckDBPyConnection, catalogue: SourceCatalogue
) -> list[tuple[str, str, str]]:
    """Current batches loaded under a definition that has changed since or is gone:
    (batch_id, file_name, source). Reads only (a read-only connection will do)."""
    exists = con.execute(
        "select count(*) from information_schema.tables where table_name = 'load_source'"
    ).fetchall()[0][0]
    if not exists:
        return []
    rows = con.execute(
        "select s.batch_id, b.file_name, s.source, s.definition_sha256 from load_source s"
        " join load_batch b using (batch_id)"
        " where s.batch_id not in (select batch_id from load_supersession)"
        " order by b.load_seq"
    ).fetchall()
    current = {name: d.fingerprint for name, d in catalogue.definitions.items()}
    return [(b, f, s) for b, f, s, fp in rows if current.get(s) != fp]

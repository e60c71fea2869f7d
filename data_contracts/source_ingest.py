"""The source layer in the nightly ingest: which definition a file follows, and its batch.

`data_contracts/ingest.py` calls in at a few points marked `# source layer hook`: the
inbox is routed here (a SPEC feed folder goes straight to its feed; a source folder's file
to the definition it matches, once per feed the definition fills), a routed file is read
and mapped here, and its batch records the definition's fingerprint in `load_source`, so a
later nightly can say which batches were loaded under an earlier definition and
`sfp nightly --rebuild` reloads them (docs/sources.md).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb
import pandas as pd

from data_contracts.feeds import FEEDS, Feed
from data_contracts.ingest import (
    BatchReport,
    FeedTable,
    PreparedFile,
    check_columns,
    file_sha256,
)
from data_contracts.source_definitions import (
    FeedMapping,
    SourceCatalogue,
    SourceDefinition,
    SourceDefinitionError,
    load_catalogue,
)
from data_contracts.source_mapping import PROBLEM_COLUMNS, MappedFeed, map_feed
from data_contracts.source_match import choose_definition
from data_contracts.source_tables import query_tables, read_source_tables
from data_contracts.validation import BatchValidation, CheckResult

SOURCE_DDL = """
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
"""
RAGGED_COLUMN = "(whole row)"


def ensure_source_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(SOURCE_DDL)


@dataclass(frozen=True)
class InboxEntry:
    """One file to load into one feed: through a source definition, or as SPEC shape."""

    feed: str
    path: Path
    source: SourceDefinition | None = None
    refusal: str = ""
    """Set when the file is in a source folder but matches none of its definitions."""


def route_inbox(
    con: duckdb.DuckDBPyConnection, inbox: Path, catalogue: SourceCatalogue | None = None
) -> list[InboxEntry]:
    """Every file under INBOX/<folder>/ with the feed(s) it fills, in a stable order.

    A SPEC feed folder (or a folder no definition names) keeps today's behaviour; a file
    in a source folder fills every feed of the definition it matches. Sorted by feed,
    then path, so one feed's files are validated together and batch order is repeatable.
    """
    ensure_source_tables(con)
    broken = ""
    if catalogue is None:
        try:
            catalogue = load_catalogue()
        except SourceDefinitionError as error:
            # A definition edited into a mistake under a scheduled run: SPEC folders still
            # load, and every other file is refused with the mistake (the CLI stops first).
            catalogue, broken = SourceCatalogue({}), str(error)
    entries: list[InboxEntry] = []
    for path in sorted(inbox.glob("*/*")):
        if not path.is_file() or path.name.startswith("."):
            continue
        folder = path.parent.name
        if broken and folder.lower() not in FEEDS:
            refusal = f"{path}: source definitions cannot be used ({broken})"
            entries.append(InboxEntry(folder.lower(), path, refusal=refusal))
            continue
        candidates = [] if folder.lower() in FEEDS else catalogue.in_folder(folder)
        if not candidates:
            entries.append(InboxEntry(folder.lower(), path))
            continue
        chosen, refusal = choose_definition(con, path, candidates)
        if chosen is None:
            entries.append(InboxEntry(folder.lower(), path, refusal=refusal))
            continue
        entries.extend(InboxEntry(feed, path, chosen) for feed in chosen.feed_names())
    return sorted(entries, key=lambda entry: (entry.feed, str(entry.path)))


@dataclass(frozen=True)
class SourcePreparedFile(PreparedFile):
    """A routed file read and mapped onto one feed, waiting for validation."""

    source: SourceDefinition | None = None
    mapping: FeedMapping | None = None
    problems: pd.DataFrame | None = None
    """The mapping's quarantine lines (row_index, column_name, reason)."""
    origin: pd.DataFrame | None = None
    """For rows built by a query over several tables: `_table`, `_line` per row."""

    @property
    def batch_id(self) -> str:
        """File bytes and definition together: the same file under a changed definition
        is a different batch, which is how `--rebuild` can load it again."""
        assert self.source is not None
        key = f"{self.digest}:{self.source.fingerprint}".encode()
        return f"{self.feed.name}-{hashlib.sha256(key).hexdigest()[:16]}"

    @property
    def readable(self) -> pd.DataFrame:
        refused = set(self.table.ragged)
        if self.problems is not None:
            refused |= set(self.problems["row_index"])
        return self.table.frame.drop(index=sorted(refused))


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
    missing); returns a report for a file already loaded.
    """
    ensure_source_tables(con)
    digest = file_sha256(path)
    fingerprint = definition.fingerprint
    loaded = con.execute(
        "select b.batch_id, s.definition_sha256 from load_batch b"
        " left join load_source s using (batch_id)"
        " where b.file_sha256 = ? and b.feed = ? order by b.load_seq",
        [digest, feed.name],
    ).fetchall()
    key = f"{feed.name}:{digest}"
    same = [batch for batch, loaded_under in loaded if loaded_under == fingerprint]
    if same or (seen is not None and key in seen):
        batch_id = same[-1] if same else ""
        return BatchReport(feed.name, str(path), batch_id, 0, 0, 0, "already loaded")
    if loaded and not reload_stale:
        return StaleBatchReport(
            feed.name, str(path), loaded[-1][0], 0, 0, 0, "already loaded", source=definition.name
        )
    mapping = next(m for m in definition.feeds if m.feed == feed.name)
    table, mapped, origin = read_and_map(path, definition, mapping)
    check_columns(feed, table.frame, str(path))
    if seen is not None:
        seen.add(key)
    return SourcePreparedFile(
        feed, path, digest, table, definition, mapping, mapped.problems, origin
    )


def read_and_map(
    path: Path, definition: SourceDefinition, mapping: FeedMapping
) -> tuple[FeedTable, MappedFeed, pd.DataFrame | None]:
    """A file's rows for one feed, mapped: (table for the contract, mapping, row origins).

    A line without one field per column of its table is refused whole here, with the
    table's width in the reason, and the mapping's other lines for it are dropped."""
    name = str(path)
    wanted = tuple(t.name for t in definition.tables) if mapping.sql else (mapping.table,)
    tables = read_source_tables(path, definition, wanted if definition.tables else ())
    origin = None
    if mapping.sql:
        rows, origin = query_tables(definition, mapping, tables, name)
        ragged = _ragged_origins(origin, tables)
    else:
        source = tables[mapping.table] if mapping.table else tables[""]
        rows = source.frame
        width = len(source.frame.columns)
        ragged = {line: (width, found) for line, found in source.ragged.items()}
    mapped = map_feed(rows, mapping, definition, name)
    if ragged:
        whole_rows = pd.DataFrame(
            {
                "row_index": list(ragged),
                "column_name": RAGGED_COLUMN,
                "reason": [f"expected {w} fields, found {n}" for w, n in ragged.values()],
            }
        )
        kept = mapped.problems[~mapped.problems["row_index"].isin(list(ragged))]
        mapped.problems = pd.concat([whole_rows, kept], ignore_index=True)
    frame = mapped.frame
    frame.columns = [str(c).lower() for c in frame.columns]
    return FeedTable(frame, {}), mapped, origin


def _ragged_origins(origin: pd.DataFrame, tables: dict) -> dict[int, tuple[int, int]]:
    """Rows a query built from a line without one field per column: (width, fields)."""
    ragged: dict[int, tuple[int, int]] = {}
    for row, table, line in origin.itertuples():
        source = tables.get(table)
        if source is not None and int(line) in source.ragged:
            ragged[int(row)] = (len(source.frame.columns), source.ragged[int(line)])
    return ragged


def with_source_problems(prepared: PreparedFile, checked: BatchValidation) -> BatchValidation:
    """The mapping's quarantine lines and checks added to the contract's (load_file)."""
    if not isinstance(prepared, SourcePreparedFile) or prepared.problems is None:
        return checked
    problems = prepared.problems[PROBLEM_COLUMNS]
    assert prepared.source is not None
    name = prepared.source.name
    results = []
    for column, lines in problems.groupby("column_name", sort=False):
        rows = tuple(sorted(int(r) for r in lines["row_index"].unique()))
        whole = column == RAGGED_COLUMN
        results.append(
            CheckResult(
                "source",
                f"one field per column in source {name}"
                if whole
                else f"{column} mapped by source {name}",
                str(column),
                "a line of the wrong width" if whole else f"a value source {name} cannot map",
                False,
                len(rows),
                rows,
            )
        )
    return replace(
        checked,
        problems=pd.concat([problems, checked.problems], ignore_index=True),
        results=tuple(results) + checked.results,
    )


def record_source_batch(
    con: duckdb.DuckDBPyConnection, prepared: PreparedFile, batch_id: str
) -> None:
    """Inside the batch's transaction: the definition it was loaded under, row origins."""
    if not isinstance(prepared, SourcePreparedFile) or prepared.source is None:
        return
    assert prepared.mapping is not None
    table = "query" if prepared.mapping.sql else prepared.mapping.table
    con.execute(
        "insert into load_source values (?, ?, ?, ?, ?)",
        [
            batch_id,
            prepared.source.name,
            prepared.source.fingerprint,
            prepared.path.parent.name,
            table,
        ],
    )
    if prepared.origin is not None and len(prepared.origin):
        rows = pd.DataFrame(
            {
                "batch_id": batch_id,
                "row_number": prepared.origin.index.to_numpy(dtype="int64"),
                "source_table": prepared.origin["_table"].astype("str").to_numpy(),
                "source_line": prepared.origin["_line"].to_numpy(dtype="int64"),
            }
        )
        con.register("_source_rows", rows)
        try:
            con.execute("insert into load_source_row select * from _source_rows")
        finally:
            con.unregister("_source_rows")


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

"""`sfp sources check FILE`: how a file would map, without loading anything.

For an analyst adding or fixing a partner: which definition the file matches (or why it
matches none), per feed the columns found and where from, the columns the feed leaves
blank, the file's columns nothing reads, the values with no mapping, and the first rows'
results against the feed's contract (the Great Expectations suite, as the nightly runs
it). Nothing is written to a warehouse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from data_contracts.batch_load import check_columns
from data_contracts.feed_reader import (
    FeedFileError,
    FeedTable,
    display_name,
    head_lines,
    read_feed_table,
)
from data_contracts.feeds import FEEDS
from data_contracts.source_catalogue import SourceCatalogue
from data_contracts.source_definitions import SourceDefinition
from data_contracts.source_ingest import read_and_map
from data_contracts.source_match import best_of, closest_match, match
from data_contracts.source_tables import TEXT_SUFFIXES

FIRST_ROWS = 10


@dataclass
class FeedCheck:
    feed: str
    rows: int = 0
    found: dict[str, str] = field(default_factory=dict)
    blank: list[str] = field(default_factory=list)
    unused: list[str] = field(default_factory=list)
    unmapped: dict[str, dict[str, int]] = field(default_factory=dict)
    first_rows: list[tuple[int, str]] = field(default_factory=list)
    error: str = ""
    partial: bool = False
    """Only the first lines of the file were read (a text file longer than the preview)."""


@dataclass
class FileCheck:
    path: Path
    definition: SourceDefinition | None
    """None: the file is checked as a SPEC-shaped file of the feed its folder names."""
    feeds: list[FeedCheck] = field(default_factory=list)
    refusal: str = ""
    unread: tuple[str, ...] = ()
    """For a refused file: its columns the closest definition reads in no way."""
    closest: str = ""

    @property
    def loads(self) -> bool:
        return not self.refusal and not any(f.error for f in self.feeds)

    def lines(self) -> list[str]:
        if self.refusal:
            return [self.refusal, *_unread_line(self.unread, self.closest)]
        if self.definition is None:
            out = [f"{self.path}: SPEC shape (feed folder {self.path.parent.name}/)"]
        else:
            d = self.definition
            out = [
                f"{self.path}: source {d.name} ({d.description}); definition {d.path},"
                f" fingerprint {d.fingerprint[:12]}; its files go in INBOX/{d.folder}/"
            ]
        for feed in self.feeds:
            out += _feed_lines(feed)
        return out


def _unread_line(unread: tuple[str, ...] | list[str], reader: str) -> list[str]:
    """Under a refusal, the file's columns `reader` reads in no way: where a renamed
    column wants an alias (or a column the feed simply does not use)."""
    if not unread:
        return []
    return [f"  columns nothing reads ({reader}; a renamed one needs an alias): "
            + ", ".join(unread)]  # fmt: skip


def _feed_lines(feed: FeedCheck) -> list[str]:
    if feed.error:
        reader = f"by feed {feed.feed}'s columns and aliases"
        return [f"feed {feed.feed}: REFUSED: {feed.error}", *_unread_line(feed.unused, reader)]
    out = [
        f"feed {feed.feed}: the first {feed.rows} rows read (a preview reads no further;"
        " the counts below are of those rows, the nightly reads every row)"
        if feed.partial
        else f"feed {feed.feed}: {feed.rows} rows"
    ]
    found = [f"{c} <- {how}" for c, how in feed.found.items()]
    out.append("  columns found: " + (", ".join(found) or "none"))
    if feed.blank:
        out.append("  not in the file (optional, left blank): " + ", ".join(feed.blank))
    if feed.unused:
        out.append("  not used (kept as extra columns): " + ", ".join(feed.unused))
    if feed.unmapped:
        for column, values in feed.unmapped.items():
            listed = ", ".join(f"{v!r} ({n} row{'s' * (n != 1)})" for v, n in values.items())
            out.append(f"  values with no mapping in {column}: {listed}")
    else:
        out.append("  values with no mapping: none")
    out.append(f"  first {len(feed.first_rows)} rows against the contract:")
    out += [f"    row {number}: {result}" for number, result in feed.first_rows]
    return out


def check_file(
    path: Path,
    catalogue: SourceCatalogue,
    source: str | None = None,
    rows: int = FIRST_ROWS,
    load_date: date | None = None,
) -> FileCheck:
    """Map `path` as the nightly would (by `source`, else its folder, else the best match)."""
    load_date = load_date or date.today()
    if source is None and path.parent.name.lower() in FEEDS:
        return _spec_check(path, rows, load_date)
    if source is not None:
        definition = catalogue.get(source)
    else:
        candidates = catalogue.in_folder(path.parent.name) or list(catalogue.definitions.values())
        matches = [match(path, d) for d in candidates]
        found, refusal = best_of(path, matches)
        if found is None:
            nearest = closest_match(matches)
            reader = f"by the closest definition, {nearest.definition.name}"
            return FileCheck(path, None, refusal=refusal, unread=nearest.unread, closest=reader)
        definition = found.definition
    check = FileCheck(path, definition)
    name = display_name(path)
    lines = preview_lines(rows, definition.read.header_row)
    for mapping in definition.feeds:
        result = FeedCheck(mapping.feed, partial=is_partial(path, lines, definition))
        try:
            table, mapped, origin, _ = read_and_map(path, definition, mapping, lines)
            check_columns(mapping.contract, table.frame, name)
        except FeedFileError as error:
            result.error = str(error).replace(f"{name}: ", "")
            result.unused = list(match(path, definition).unread)
            check.feeds.append(result)
            continue
        result.rows = len(table.frame)
        result.found = mapped.found
        result.blank = [c.name for c in mapping.contract.all_columns if c.name not in mapped.found]
        result.unused = mapped.unused
        result.unmapped = mapped.unmapped
        result.first_rows = _first_rows(mapping.feed, table, rows, load_date)
        if origin is not None:
            # A row built by a query over several tables: name the table line it stands for.
            result.first_rows = [
                (
                    number,
                    f"({origin.at[number, '_table']} line {origin.at[number, '_line']}) {outcome}",
                )
                for number, outcome in result.first_rows
            ]
        check.feeds.append(result)
    return check


def preview_lines(rows: int, header_row: int) -> int:
    """Lines of a text file read to show its first `rows` rows: the header, the rows, and
    room for blank lines and values that span lines (`sfp sources check` reads no more)."""
    return header_row + 2 * rows + 10


def is_partial(path: Path, lines: int, definition: SourceDefinition | None = None) -> bool:
    """Whether a preview of `lines` lines leaves some of the file unread (a workbook, or a
    source of several tables joined by a query, is read whole)."""
    text = path.suffix.lower() in ((".csv",) if definition is None else TEXT_SUFFIXES)
    if not text or (definition is not None and definition.tables):
        return False
    try:
        return len(head_lines(path, lines)) < path.stat().st_size
    except OSError:
        return False


def _spec_check(path: Path, rows: int, load_date: date) -> FileCheck:
    feed = FEEDS[path.parent.name.lower()]
    check = FileCheck(path, None)
    lines = preview_lines(rows, 1)
    result = FeedCheck(feed.name, partial=is_partial(path, lines))
    name = display_name(path)
    names = {c.name for c in feed.all_columns}
    try:
        table = read_feed_table(path, first_lines=lines)
        # Listed under a refusal too: a renamed column is among them.
        result.unused = [c for c in table.frame.columns if c not in names]
        check_columns(feed, table.frame, name)
    except FeedFileError as error:
        result.error = str(error).replace(f"{name}: ", "")
        check.feeds.append(result)
        return check
    result.rows = len(table.frame)
    result.found = {c: c for c in table.frame.columns if c in names}
    result.blank = [c for c in names if c not in table.frame.columns]
    result.first_rows = _first_rows(feed.name, table, rows, load_date)
    check.feeds.append(result)
    return check


def _first_rows(
    feed_name: str, table: FeedTable, rows: int, load_date: date
) -> list[tuple[int, str]]:
    """The first `rows` rows as the nightly would judge them: staged, or every reason
    (the reader's and the mapping's first, then the contract's)."""
    from data_contracts.validation import validate_batch

    head = table.frame.head(rows)
    refused = set(table.unreadable_rows)
    readable = head.drop(index=[i for i in head.index if i in refused])
    reasons: dict[int, list[str]] = {int(i): [] for i in head.index}
    for row, column, reason in table.row_problems:
        if row in reasons:
            reasons[int(row)].append(f"{column}: {reason}")
    if len(readable):
        checked = validate_batch(
            FEEDS[feed_name], readable, pd.Series(readable.index, index=readable.index), load_date
        )
        for row, column, reason in checked.problems.itertuples(index=False):
            reasons[int(row)].append(f"{column}: {reason}")
    return [
        (row, "quarantined: " + "; ".join(found) if found else "staged")
        for row, found in reasons.items()
    ]

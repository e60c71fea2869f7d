"""Load an inbox of partner files into the warehouse: raw, staged and quarantined rows.

One file is one load batch (a partner's file filling several feeds, one per feed). A file
already loaded (same bytes) adds nothing; a file that cannot be read at all is refused
with a one-line reason and the other files still load. Every row of a readable file ends
up either staged or quarantined with its reasons.

The inbox is planned first (`plan_inbox`: scanned once by `inbox_scan.scan_inbox`, then
each loadable entry routed: a SPEC feed folder's file to its feed, a source folder's file
to the definition it matches, once per feed that fills), then loaded a feed at a time
(`ingest_feed`), so a flow can run one task per feed and show each file as it is done.
Reading a file is `feed_reader.py` (and `source_tables.py` for a partner's shape), writing
one batch `batch_load.py`. The names callers use are importable from here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from data_contracts.batch_load import (
    BatchReport,
    PreparedFile,
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
from data_contracts.file_versions import is_copy
from data_contracts.inbox_scan import InboxEntry, scan_inbox
from data_contracts.log_records import file_line_extra
from data_contracts.refusals import (
    digest_or_none,
    earlier_refusal,
    refuse,
    refused_copy,
    unexpected,
)
from data_contracts.source_catalogue import SourceCatalogue, load_catalogue
from data_contracts.source_definitions import SourceDefinition, SourceDefinitionError
from data_contracts.source_ingest import folder_key, prepare_source_file
from data_contracts.source_match import choose_definition
from data_contracts.validation import validate_batches
from data_contracts.warehouse import disk_full, is_disk_full, is_interrupt, one_checkpoint

__all__ = [
    "BatchReport",
    "FeedFileError",
    "InboxPlan",
    "PlannedEntry",
    "ReadOptions",
    "decode_csv",
    "ingest_feed",
    "ingest_file",
    "ingest_inbox",
    "in_inbox_order",
    "plan_inbox",
    "read_feed_file",
    "record_unloaded",
]

log = logging.getLogger(__name__)

# Rows of one feed validated in one suite run at most: a suite run costs about half a
# second whatever its size, and a million rows keep the night's memory near 2 GiB.
VALIDATION_ROWS = 1_000_000

OnReport = Callable[[BatchReport], None]


@dataclass(frozen=True)
class PlannedEntry:
    """One inbox entry and what the night will do with it, before anything is read."""

    path: Path
    feed: str
    """The feed it fills; for an entry not loaded, its folder's name ("" at the root)."""
    action: str
    """load, refuse or skip."""
    reason: str = ""
    """Why it is skipped, or the one line (naming the file) it is refused with."""
    source: SourceDefinition | None = None
    """The definition a source folder's file is mapped by (None: a SPEC-shaped file)."""
    remember: bool = True
    """Record a refusal by the file's bytes, so unchanged bytes are not tried again."""
    definition_key: str | None = None
    """Besides the bytes, what a refusal depends on: a refusal for matching none of a
    folder's definitions is tried again once one of them changes."""


@dataclass(frozen=True)
class InboxPlan:
    """Every inbox entry in inbox order, routed; nothing read beyond a header, nothing
    loaded (`plan_inbox`)."""

    inbox: Path
    entries: tuple[PlannedEntry, ...]

    def feeds(self) -> list[str]:
        """Feeds with entries to load, in the order they are loaded (first in the inbox
        first), so a flow can run one task per feed."""
        return list(dict.fromkeys(e.feed for e in self.entries if e.action == "load"))

    def loading(self, feed: str) -> list[PlannedEntry]:
        return [e for e in self.entries if e.action == "load" and e.feed == feed]

    def unloaded(self) -> list[PlannedEntry]:
        return [e for e in self.entries if e.action != "load"]


def plan_inbox(
    con: duckdb.DuckDBPyConnection, inbox: Path, sources: SourceCatalogue | None = None
) -> InboxPlan:
    """Scan the inbox once and route each loadable entry; nothing is loaded.

    A SPEC feed folder's file fills its feed. A file in a source folder fills every feed
    of the definition it matches (`sources`, default: the shipped definitions and
    $SFP_SOURCES; read only when the inbox has a folder that is no feed). A folder that
    is neither refuses each of its files with one line, as does a file no definition of
    its folder matches; a scheduled run whose definitions were edited into a mistake
    refuses every source folder's file with that mistake and loads the SPEC folders.
    """
    if not inbox.is_dir():
        raise FeedFileError(f"{inbox}: inbox folder not found (expected INBOX/<feed>/<file>.csv)")
    router = _Router(con, sources)
    entries: list[PlannedEntry] = []
    for entry in scan_inbox(inbox):
        if entry.action != "load":
            entries.append(_unloaded(entry))
        else:
            entries.extend(router.route(entry))
    return InboxPlan(inbox, tuple(entries))


def _unloaded(entry: InboxEntry) -> PlannedEntry:
    """A skipped or refused scan entry; a link is never read, so never remembered."""
    folder = entry.feed or ""
    if entry.action == "skip":
        return PlannedEntry(entry.path, folder, "skip", entry.reason)
    message = f"{display_name(entry.path)}: {entry.reason}"
    return PlannedEntry(entry.path, folder, "refuse", message, remember=not entry.path.is_symlink())


class _Router:
    """Which feed(s) a loadable file fills, the source catalogue read at most once."""

    def __init__(self, con: duckdb.DuckDBPyConnection, sources: SourceCatalogue | None) -> None:
        self.con = con
        self.catalogue = sources
        self.broken = ""

    def _definitions(self, folder: str) -> list[SourceDefinition]:
        if self.catalogue is None:
            try:
                self.catalogue = load_catalogue()
            except SourceDefinitionError as error:
                # The CLI stops on a wrong definition before any flow; a scheduled run
                # whose definitions changed under it loses nothing and says why.
                self.catalogue, self.broken = SourceCatalogue({}), str(error)
        return self.catalogue.in_folder(folder)

    def route(self, entry: InboxEntry) -> list[PlannedEntry]:
        folder = entry.feed or ""
        name = display_name(entry.path)
        if folder in FEEDS:
            return [PlannedEntry(entry.path, folder, "load")]
        candidates = self._definitions(folder)
        if self.broken:
            message = f"{name}: source definitions cannot be used ({self.broken})"
            return [PlannedEntry(entry.path, folder, "refuse", message, remember=False)]
        if not candidates:
            message = (
                f"{name}: unknown feed folder '{folder}' (expected one of: {', '.join(FEEDS)})"
            )
            return [PlannedEntry(entry.path, folder, "refuse", message)]
        key = folder_key(candidates)
        try:
            chosen, refusal = choose_definition(self.con, entry.path, candidates)
        except Exception as error:  # one file must never stop the night
            _stop_if_interrupted(error)
            refusal = unexpected(name, "matched to a source definition", error)
            chosen = None
        if chosen is None:
            return [PlannedEntry(entry.path, folder, "refuse", refusal, definition_key=key)]
        return [
            PlannedEntry(entry.path, feed, "load", source=chosen) for feed in chosen.feed_names()
        ]


def record_unloaded(
    con: duckdb.DuckDBPyConnection, plan: InboxPlan, loaded_at: datetime
) -> list[BatchReport]:
    """The reports of entries refused or skipped while planning, in inbox order; each
    refusal recorded once in `load_error` (unchanged bytes: `still refused`)."""
    reports = []
    for entry in plan.unloaded():
        if entry.action == "skip":
            name = display_name(entry.path)
            reports.append(BatchReport.unloaded(entry.feed, name, "skipped", entry.reason))
            continue
        digest = digest_or_none(entry.path) if entry.remember else None
        reports.append(
            refuse(
                con, entry.feed, entry.path, entry.reason, loaded_at, digest, entry.definition_key
            )
        )
    for report in reports:
        log.info(report.line(), extra=file_line_extra(bool(report.error)))
    log.info(
        "%d files to load in %d feeds; %d refused or skipped on sight",
        len(plan.entries) - len(reports),
        len(plan.feeds()),
        len(reports),
    )
    return reports


def ingest_feed(
    con: duckdb.DuckDBPyConnection,
    plan: InboxPlan,
    feed: str,
    loaded_at: datetime,
    reload_stale: bool = False,
    on_report: OnReport | None = None,
) -> list[BatchReport]:
    """Load the plan's new files of one feed; their reports in inbox order.

    The files are read, validated together (one suite run, or one per `VALIDATION_ROWS`
    rows, see `validate_batches`), then loaded one batch per transaction in inbox order,
    and let go before more is read, so memory holds about a million rows. `on_report` is
    called once per file as soon as its report is final (known, refused or stale when
    read; loaded or refused when written). `reload_stale` loads again a partner's file
    loaded under an earlier version of its definition.

    No file can stop the night: whatever goes wrong with one file (even an error nobody
    foresaw) refuses that file with a one-line reason in `load_error` that names no
    value, and a refused file is not tried again until its bytes (or its definition)
    change. Ctrl-C stops the night; the batch being written is rolled back.

    Each batch is its own transaction, but the warehouse file is rewritten once, after
    the feed (or, within `ingest_inbox`, the night): `warehouse.one_checkpoint`.
    """
    with one_checkpoint(con):
        return _ingest_feed(con, plan, feed, loaded_at, reload_stale, on_report)


def _ingest_feed(
    con: duckdb.DuckDBPyConnection,
    plan: InboxPlan,
    feed: str,
    loaded_at: datetime,
    reload_stale: bool,
    on_report: OnReport | None,
) -> list[BatchReport]:
    entries = plan.loading(feed)
    reports: dict[Path, BatchReport] = {}

    def done(path: Path, report: BatchReport) -> None:
        reports[path] = report
        log.info(
            report.line(),
            extra=file_line_extra(bool(report.error), len(reports), len(entries), f"{feed} files"),
        )
        if on_report is not None:
            on_report(report)

    seen: set[str] = set()
    waiting: list[PreparedFile] = []
    waiting_rows = 0
    tonight = {recorded_name(entry) for entry in entries}
    digests: set[str] = set()
    # Files under their own names first, then renamed copies (data_contracts/
    # file_versions.py): a copy of bytes loaded tonight is `already loaded`, and a copy of
    # a file in the inbox tonight never loads before (or instead of) its original.
    for entry in sorted(entries, key=lambda e: is_copy(recorded_name(e))):
        if waiting_rows >= VALIDATION_ROWS:
            _validate_and_load(con, waiting, loaded_at, done)
            waiting, waiting_rows = [], 0
        prepared = _prepare(con, entry, seen, loaded_at, reload_stale, (tonight, digests))
        if isinstance(prepared, BatchReport):
            done(entry.path, prepared)
        else:
            digests.add(prepared.digest)
            waiting.append(prepared)
            waiting_rows += len(prepared.table.frame)
    _validate_and_load(con, waiting, loaded_at, done)
    return [reports[entry.path] for entry in entries]


def ingest_inbox(
    con: duckdb.DuckDBPyConnection,
    inbox: Path,
    loaded_at: datetime | None = None,
    reload_stale: bool = False,
    sources: SourceCatalogue | None = None,
    on_report: OnReport | None = None,
) -> list[BatchReport]:
    """Load every new file in the inbox; a refused file is recorded and the rest go on.

    `plan_inbox`, then `record_unloaded`, then `ingest_feed` for each feed of the plan;
    the reports come back in inbox order (a file filling several feeds: one per feed, in
    its definition's order). `loaded_at` (UTC, naive) stamps every batch of this run;
    dates after its day are quarantined as in the future.
    """
    loaded_at = loaded_at or datetime.now(UTC).replace(tzinfo=None)
    with one_checkpoint(con):  # each batch its own commit; the tables rewritten once
        plan = plan_inbox(con, inbox, sources)
        unloaded = record_unloaded(con, plan, loaded_at)
        if on_report is not None:
            for report in unloaded:
                on_report(report)
        loaded = {
            feed: ingest_feed(con, plan, feed, loaded_at, reload_stale, on_report)
            for feed in plan.feeds()
        }
    return in_inbox_order(plan, unloaded, loaded)


def in_inbox_order(
    plan: InboxPlan, unloaded: list[BatchReport], loaded: dict[str, list[BatchReport]]
) -> list[BatchReport]:
    """The night's reports in inbox order, from `record_unloaded` and each `ingest_feed`
    (a flow that runs one task per feed puts them back together with this)."""
    reports: dict[tuple[Path, str], BatchReport] = {}
    for entry, report in zip(plan.unloaded(), unloaded, strict=True):
        reports[entry.path, entry.feed] = report
    for feed in plan.feeds():
        for entry, report in zip(plan.loading(feed), loaded[feed], strict=True):
            reports[entry.path, entry.feed] = report
    return [reports[entry.path, entry.feed] for entry in plan.entries]


def recorded_name(entry: PlannedEntry) -> str:
    """The name `load_batch` records for the entry's file (a source folder's with its folder)."""
    name = display_name(entry.path.name)
    return f"{entry.source.folder}/{name}" if entry.source is not None else name


def _prepare(
    con: duckdb.DuckDBPyConnection,
    entry: PlannedEntry,
    seen: set[str],
    loaded_at: datetime,
    reload_stale: bool,
    tonight: tuple[set[str], set[str]] = (set(), set()),
) -> PreparedFile | BatchReport:
    """The file read and checked for its feed, or its report (known, refused, still
    refused, a renamed copy of a loaded file, stale). `tonight`: the recorded names of
    the feed's files in this run, and the bytes (sha256) read so far."""
    name = display_name(entry.path)
    feed = FEEDS[entry.feed]
    key = entry.source.fingerprint if entry.source else None
    digest = digest_or_none(entry.path)
    if digest is not None:
        earlier = earlier_refusal(con, feed.name, digest, key)
        if earlier is not None:
            return BatchReport.unloaded(feed.name, name, "still refused", earlier)
        copy = refused_copy(
            con, feed.name, entry.path, recorded_name(entry), digest, key, tonight, loaded_at
        )
        if copy is not None:
            return copy
    try:
        if entry.source is None:
            return prepare_file(con, feed, entry.path, seen)
        return prepare_source_file(con, feed, entry.source, entry.path, seen, reload_stale)
    except FeedFileError as error:
        return refuse(con, feed.name, entry.path, str(error), loaded_at, digest, key)
    except Exception as error:  # one file must never stop the night
        _stop_if_interrupted(error)
        message = unexpected(name, "read", error)
        return refuse(con, feed.name, entry.path, message, loaded_at, digest, key)


def _validate_and_load(
    con: duckdb.DuckDBPyConnection,
    waiting: list[PreparedFile],
    loaded_at: datetime,
    done: Callable[[Path, BatchReport], None],
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
                _validate_and_load(con, [prepared], loaded_at, done)
            return
        [prepared] = waiting
        message = unexpected(display_name(prepared.path), "checked", error)
        done(prepared.path, _refuse_prepared(con, prepared, message, loaded_at))
        return
    for prepared, validation in zip(waiting, checked, strict=True):
        try:
            report = load_file(con, prepared, validation, loaded_at)
        except Exception as error:  # one file must never stop the night
            _stop_if_interrupted(error)
            message = unexpected(display_name(prepared.path), "written", error)
            report = _refuse_prepared(con, prepared, message, loaded_at)
        done(prepared.path, report)


def _stop_if_interrupted(error: Exception) -> None:
    """Ctrl-C or a full disk stops the night (the open batch was rolled back); neither is
    the file's fault, so neither refuses it (a refusal is remembered by the bytes)."""
    if is_interrupt(error):
        raise KeyboardInterrupt from error
    if is_disk_full(error):
        raise disk_full("loading the inbox") from None


def _refuse_prepared(
    con: duckdb.DuckDBPyConnection, prepared: PreparedFile, message: str, loaded_at: datetime
) -> BatchReport:
    feed = prepared.feed.name
    return refuse(
        con, feed, prepared.path, message, loaded_at, prepared.digest, prepared.definition_key
    )

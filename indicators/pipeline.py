"""The nightly pipeline as plain functions: ingest -> link -> derive.

This is the one place the stages are put together. The Prefect flows wrap each stage in a
task, and the tests, the crash-safety test and the bench scripts call `run_nightly`, so
nobody re-assembles the stages by hand and every caller gets the same folders, options and
order. It lives in `indicators/`, the highest layer the nightly touches (layers point down:
data_contracts <- matching <- indicators).
"""

from __future__ import annotations

import logging
import resource
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from data_contracts.ingest import (
    BatchReport,
    InboxPlan,
    in_inbox_order,
    ingest_feed,
    ingest_inbox,
    plan_inbox,
    record_unloaded,
)
from data_contracts.report_page import write_validation_page
from data_contracts.warehouse_paths import linkage_folder, models_folder, reports_folder
from indicators.plan import Plan
from indicators.runner import derive_indicators
from matching.link import LinkOptions, LinkResult, link_warehouse_run

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NightlyOptions:
    """What a nightly run is asked to do; everything else follows from the warehouse path."""

    plan: Plan
    as_of: date
    model: Path | None = None
    """Score everything with this saved person model (an audit re-run) instead of training."""
    rebuild: bool = False
    """Retrain and rescore every pair, and derive every case, instead of the incremental run."""
    engine: str = "duckdb"


@dataclass(frozen=True)
class NightlyResult:
    batches: list[BatchReport]
    people: int
    validation_page: Path | None = None
    link_mode: str = "full"  # "incremental": only new records were scored
    derive_mode: str = "full"  # "incremental": only affected cases were derived again
    quality_page: Path | None = None
    review_workbook: Path | None = None
    stage_seconds: dict[str, float] = field(default_factory=dict)
    stage_cpu_seconds: dict[str, float] = field(default_factory=dict)
    stage_peak_mib: dict[str, float] = field(default_factory=dict)
    """The process's peak RSS so far at each stage's end: where a night's peak is reached."""
    """User plus system CPU of the whole process (DuckDB's threads included) per stage: on a
    shared machine wall time varies with the neighbours, CPU much less."""
    """Wall seconds of each stage (ingest, link, derive), for the log line and the benches."""

    @property
    def refused(self) -> int:
        return sum(bool(report.error) for report in self.batches)


def now_utc() -> datetime:
    """The run's timestamp: UTC, naive, to the second (batches and pages are stamped with it)."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def ingest_stage(
    con: duckdb.DuckDBPyConnection,
    inbox: Path,
    warehouse: Path,
    run_at: datetime | None = None,
    reload_stale: bool = False,
) -> tuple[list[BatchReport], Path]:
    """Load and validate every new file; the offline validation page goes beside the warehouse.

    `reload_stale` (a rebuild) loads again files loaded under an earlier version of their
    source definition (docs/sources.md)."""
    run_at = run_at or now_utc()
    batches = ingest_inbox(con, inbox, run_at, reload_stale=reload_stale)
    return batches, write_validation_page(batches, reports_folder(warehouse), run_at)


def scan_stage(
    con: duckdb.DuckDBPyConnection, inbox: Path, run_at: datetime
) -> tuple[InboxPlan, list[BatchReport]]:
    """Scan and route the inbox; files refused or skipped on sight are recorded and told."""
    plan = plan_inbox(con, inbox)
    return plan, record_unloaded(con, plan, run_at)


def feed_stage(
    con: duckdb.DuckDBPyConnection,
    plan: InboxPlan,
    feed: str,
    run_at: datetime,
    reload_stale: bool = False,
) -> list[BatchReport]:
    """Load one feed's new files; each file's line is told as soon as it is final."""
    return ingest_feed(con, plan, feed, run_at, reload_stale)


def report_stage(
    plan: InboxPlan,
    unloaded: list[BatchReport],
    loaded: dict[str, list[BatchReport]],
    warehouse: Path,
    run_at: datetime,
) -> tuple[list[BatchReport], Path]:
    """The night's reports in inbox order and the offline validation page beside them."""
    batches = in_inbox_order(plan, unloaded, loaded)
    return batches, write_validation_page(batches, reports_folder(warehouse), run_at)


def link_stage(
    con: duckdb.DuckDBPyConnection, warehouse: Path, options: NightlyOptions
) -> LinkResult:
    """Link every staged person row; models, review workbook, quality page beside the warehouse."""
    link = LinkOptions.from_plan(options.plan.matching)
    return link_warehouse_run(
        con,
        link.threshold,
        models_folder(warehouse),
        link,
        options.model,
        linkage_folder(warehouse),
        options.rebuild,
        options.engine,
    )


def nightly_result(
    warehouse: Path,
    batches: list[BatchReport],
    validation_page: Path,
    linked: LinkResult,
    derived: str,
) -> NightlyResult:
    """The night's result, with the match-quality page and review workbook linkage wrote."""
    folder = linkage_folder(warehouse)
    return NightlyResult(
        batches,
        linked.people,
        validation_page,
        linked.mode,
        derived,
        quality_page=folder / f"match-quality-run-{linked.run_id}.html",
        review_workbook=folder / f"review-run-{linked.run_id}.xlsx",
    )


def derive_stage(con: duckdb.DuckDBPyConnection, options: NightlyOptions) -> str:
    """Derive needs and measures; incremental unless a rebuild was asked for."""
    return derive_indicators(con, options.plan, options.as_of, incremental=not options.rebuild)


def run_nightly(
    con: duckdb.DuckDBPyConnection,
    warehouse: Path,
    inbox: Path,
    options: NightlyOptions,
    run_at: datetime | None = None,
) -> NightlyResult:
    """One nightly run on an open warehouse connection: ingest, link, derive.

    Each stage's end is logged, so a caller watching the lines (the crash-safety test kills
    its child at one) knows what is already committed."""
    clock = StageClock()
    batches, page = ingest_stage(con, inbox, warehouse, run_at, options.rebuild)
    clock.lap("ingest")
    log.info("nightly stage done: ingest (%d files, %.1f s)", len(batches), clock.wall["ingest"])
    linked = link_stage(con, warehouse, options)
    clock.lap("link")
    log.info(
        "nightly stage done: link (%d people, %s, %.1f s)", linked.people, linked.mode,
        clock.wall["link"],
    )  # fmt: skip
    derived = derive_stage(con, options)
    clock.lap("derive")
    log.info("nightly stage done: derive (%s, %.1f s)", derived, clock.wall["derive"])
    result = nightly_result(warehouse, batches, page, linked, derived)
    return replace(
        result, stage_seconds=clock.wall, stage_cpu_seconds=clock.cpu, stage_peak_mib=clock.peak
    )


def process_cpu_seconds() -> float:
    """User plus system CPU this process has used so far, every thread counted."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class StageClock:
    """Wall and CPU seconds of consecutive stages, each lap measured from the last."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self.peak: dict[str, float] = {}
        self._wall, self._cpu = time.perf_counter(), process_cpu_seconds()

    def lap(self, stage: str) -> None:
        wall, cpu = time.perf_counter(), process_cpu_seconds()
        self.wall[stage], self.cpu[stage] = wall - self._wall, cpu - self._cpu
        self.peak[stage] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self._wall, self._cpu = wall, cpu

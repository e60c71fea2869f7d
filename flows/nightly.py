"""The nightly flow: ingest new batches, link people, derive needs and measures.

Each task opens the warehouse and calls one stage of `indicators.pipeline`: the inbox is
scanned once, then each feed is its own task (retried after a passing file-system error),
so the run's page in Prefect shows which feed took the time or failed. The flow logs a
line as each stage starts and ends and one per file (the terminal and the Prefect run's
log both show them), leaves a summary artifact on the run, and ends Failed when a file
was refused, as the command line's exit code 1 says.

Flow modules keep their annotations evaluated (no postponed annotations): a served run
loads them in a fresh process where Prefect must resolve `Path` to validate parameters.
"""

import logging
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.states import Failed, State

from data_contracts.batch_load import BatchReport
from data_contracts.ingest import InboxPlan
from data_contracts.night_totals import totals_line
from data_contracts.warehouse import connect
from flows.run_summary import feed_line, nightly_markdown, publish
from indicators.pipeline import (
    NightlyOptions,
    NightlyResult,
    derive_stage,
    feed_stage,
    link_stage,
    nightly_result,
    now_utc,
    report_stage,
    scan_stage,
)
from indicators.plan import load_plan
from matching.link import LinkResult

log = logging.getLogger(__name__)


def _retry_on_file_error(task: Any, task_run: Any, state: State) -> bool:
    """Retry a stage only for a passing file-system error (a share dropping out)."""
    try:
        state.result()
    except OSError:
        return True
    except Exception:
        return False
    return False


FILE_RETRIES: dict[str, Any] = {
    "cache_policy": NO_CACHE,
    "retries": 2,
    "retry_delay_seconds": 10,
    "retry_condition_fn": _retry_on_file_error,
}
"""A file stage tried again after a passing file-system error; a file already loaded is
'already loaded' the second time, so a retry never loads it twice."""


@task(name="scan the inbox", task_run_name="scan the inbox", **FILE_RETRIES)
def scan(warehouse: Path, inbox: Path, run_at: datetime) -> tuple[InboxPlan, list[BatchReport]]:
    with connect(warehouse) as con:
        return scan_stage(con, inbox, run_at)


@task(name="ingest feed", task_run_name="ingest {feed}", **FILE_RETRIES)
def ingest_one_feed(
    warehouse: Path, plan: InboxPlan, feed: str, run_at: datetime, rebuild: bool
) -> list[BatchReport]:
    with connect(warehouse) as con:
        return feed_stage(con, plan, feed, run_at, reload_stale=rebuild)


@task(name="validation page", task_run_name="validation page", cache_policy=NO_CACHE)
def validation_page(
    warehouse: Path,
    plan: InboxPlan,
    unloaded: list[BatchReport],
    loaded: dict[str, list[BatchReport]],
    run_at: datetime,
) -> tuple[list[BatchReport], Path]:
    return report_stage(plan, unloaded, loaded, warehouse, run_at)


@task(name="link people", task_run_name="link people", cache_policy=NO_CACHE)
def link(warehouse: Path, options: NightlyOptions) -> LinkResult:
    with connect(warehouse) as con:
        return link_stage(con, warehouse, options)


@task(name="derive indicators", task_run_name="derive indicators", cache_policy=NO_CACHE)
def derive(warehouse: Path, options: NightlyOptions) -> str:
    with connect(warehouse) as con:
        return derive_stage(con, options)


def _stage(number: int, name: str) -> float:
    log.info("stage %d/3: %s", number, name)
    return time.monotonic()


@flow(name="nightly")
def nightly_flow(
    inbox: Path,
    warehouse: Path,
    plan_file: Path | None = None,
    as_of: date | None = None,
    model: Path | None = None,
    rebuild: bool = False,
    engine: str = "duckdb",
) -> NightlyResult | State:
    """Only new batches are validated and only new records scored, unless `rebuild`."""
    options = NightlyOptions(load_plan(plan_file), as_of or date.today(), model, rebuild, engine)
    began = _stage(1, f"ingest and validate the feeds in {inbox}")
    run_at = now_utc()
    plan, unloaded = scan(warehouse, inbox, run_at)
    # One task per feed: the run's page in Prefect shows which feed took the time or failed.
    by_feed = {}
    for feed in plan.feeds():
        by_feed[feed] = ingest_one_feed(warehouse, plan, feed, run_at, rebuild)
        log.info(feed_line(feed, by_feed[feed]))  # the file lines stay on the terminal
    batches, page = validation_page(warehouse, plan, unloaded, by_feed, run_at)
    log.info("ingested: %s (%.1f s)", totals_line(batches), time.monotonic() - began)
    began = _stage(2, "link people" + (" (rebuild: retrain and rescore)" if rebuild else ""))
    linked = link(warehouse, options)
    log.info(
        "linked %d people (%s, model %s); %d pairs for clerical review (%.1f s)",
        linked.people,
        linked.mode,
        linked.model_source,
        linked.review_pairs,
        time.monotonic() - began,
    )
    began = _stage(3, f"derive needs and outcome measures as of {options.as_of}")
    derived = derive(warehouse, options)
    log.info("indicators derived (%s) (%.1f s)", derived, time.monotonic() - began)
    result = nightly_result(warehouse, batches, page, linked, derived)
    publish("nightly-summary", nightly_markdown(result, warehouse), "files, rows and people")
    if result.refused:
        return Failed(message=f"{result.refused} files refused", data=result)
    return result

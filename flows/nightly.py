"""The nightly flow: ingest new batches, link people, derive needs and measures.

Each task opens the warehouse and calls one stage of `indicators.pipeline`; the stages and
their order are defined there, once. Flow modules keep their annotations evaluated (no
postponed annotations): a served run loads them in a fresh process where Prefect must
resolve `Path` to validate parameters.
"""

from datetime import date
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from data_contracts.ingest import BatchReport
from data_contracts.warehouse import connect
from indicators.pipeline import (
    NightlyOptions,
    NightlyResult,
    derive_stage,
    ingest_stage,
    link_stage,
)
from indicators.plan import load_plan
from matching.link import LinkResult


@task(name="ingest and validate feeds", cache_policy=NO_CACHE)
def ingest(warehouse: Path, inbox: Path, rebuild: bool = False) -> tuple[list[BatchReport], Path]:
    with connect(warehouse) as con:
        return ingest_stage(con, inbox, warehouse, reload_stale=rebuild)


@task(name="link people", cache_policy=NO_CACHE)
def link(warehouse: Path, options: NightlyOptions) -> LinkResult:
    with connect(warehouse) as con:
        return link_stage(con, warehouse, options)


@task(name="derive indicators", cache_policy=NO_CACHE)
def derive(warehouse: Path, options: NightlyOptions) -> str:
    with connect(warehouse) as con:
        return derive_stage(con, options)


@flow(name="nightly")
def nightly_flow(
    inbox: Path,
    warehouse: Path,
    plan_file: Path | None = None,
    as_of: date | None = None,
    model: Path | None = None,
    rebuild: bool = False,
    engine: str = "duckdb",
) -> NightlyResult:
    """Only new batches are validated and only new records scored, unless `rebuild`."""
    options = NightlyOptions(load_plan(plan_file), as_of or date.today(), model, rebuild, engine)
    batches, page = ingest(warehouse, inbox, rebuild)
    linked = link(warehouse, options)
    derived = derive(warehouse, options)
    return NightlyResult(batches, linked.people, page, linked.mode, derived)

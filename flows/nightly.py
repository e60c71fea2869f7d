"""The nightly flow: ingest new batches, link people, derive needs and measures.

Flow modules keep their annotations evaluated (no postponed annotations): a served run
loads them in a fresh process where Prefect must resolve `Path` to validate parameters.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from data_contracts.ingest import BatchReport, ingest_inbox
from data_contracts.report_page import write_validation_page
from data_contracts.warehouse import connect
from data_contracts.warehouse_paths import linkage_folder, models_folder, reports_folder
from indicators.plan import load_plan
from indicators.runner import derive_indicators
from matching.link import LinkOptions, LinkResult, link_warehouse_run


@dataclass(frozen=True)
class NightlyResult:
    batches: list[BatchReport]
    people: int
    validation_page: Path | None = None
    link_mode: str = "full"  # "incremental": only new records were scored
    derive_mode: str = "full"  # "incremental": only affected cases were derived again


@task(name="ingest and validate feeds", cache_policy=NO_CACHE)
def ingest(warehouse: Path, inbox: Path) -> tuple[list[BatchReport], Path]:
    run_at = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    with connect(warehouse) as con:
        batches = ingest_inbox(con, inbox, run_at)
    return batches, write_validation_page(batches, reports_folder(warehouse), run_at)


@task(name="link people", cache_policy=NO_CACHE)
def link(
    warehouse: Path,
    plan_file: Path | None,
    model: Path | None = None,
    rebuild: bool = False,
    engine: str = "duckdb",
) -> LinkResult:
    options = LinkOptions.from_plan(load_plan(plan_file).matching)
    models = models_folder(warehouse)
    outputs = linkage_folder(warehouse)
    with connect(warehouse) as con:
        return link_warehouse_run(
            con, options.threshold, models, options, model, outputs, rebuild, engine
        )


@task(name="derive indicators", cache_policy=NO_CACHE)
def derive(warehouse: Path, plan_file: Path | None, as_of: date, rebuild: bool = False) -> str:
    with connect(warehouse) as con:
        return derive_indicators(con, load_plan(plan_file), as_of, incremental=not rebuild)


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
    batches, page = ingest(warehouse, inbox)
    linked = link(warehouse, plan_file, model, rebuild, engine)
    derived = derive(warehouse, plan_file, as_of or date.today(), rebuild)
    return NightlyResult(batches, linked.people, page, linked.mode, derived)

"""The nightly flow: ingest new batches, link people, derive needs and measures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from data_contracts.ingest import BatchReport, ingest_inbox
from data_contracts.warehouse import connect
from indicators.plan import load_plan
from indicators.runner import derive_indicators
from matching.link import LinkOptions, link_warehouse


@dataclass(frozen=True)
class NightlyResult:
    batches: list[BatchReport]
    people: int


@task(name="ingest feeds", cache_policy=NO_CACHE)
def ingest(warehouse: Path, inbox: Path) -> list[BatchReport]:
    with connect(warehouse) as con:
        return ingest_inbox(con, inbox)


@task(name="link people", cache_policy=NO_CACHE)
def link(warehouse: Path, plan_file: Path | None, model: Path | None = None) -> int:
    options = LinkOptions.from_plan(load_plan(plan_file).matching)
    models = warehouse.parent / f"{warehouse.stem}-models"
    outputs = warehouse.parent / f"{warehouse.stem}-linkage"
    with connect(warehouse) as con:
        return link_warehouse(con, options.threshold, models, options, model, outputs)


@task(name="derive indicators", cache_policy=NO_CACHE)
def derive(warehouse: Path, plan_file: Path | None, as_of: date) -> None:
    with connect(warehouse) as con:
        derive_indicators(con, load_plan(plan_file), as_of)


@flow(name="nightly")
def nightly_flow(
    inbox: Path,
    warehouse: Path,
    plan_file: Path | None = None,
    as_of: date | None = None,
    model: Path | None = None,
) -> NightlyResult:
    batches = ingest(warehouse, inbox)
    people = link(warehouse, plan_file, model)
    derive(warehouse, plan_file, as_of or date.today())
    return NightlyResult(batches, people)

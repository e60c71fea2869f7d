"""The re-run flow: rebuild a submitted period's workbook as it stood and compare bytes."""

from datetime import date
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from claims.rerun import RerunResult, rerun_period
from flows.runs import call


@task(name="rebuild submitted workbook", cache_policy=NO_CACHE, refresh_cache=True)
def rebuild(warehouse: Path, as_of: date, out: Path | None) -> RerunResult:
    return rerun_period(warehouse, as_of, out)


@flow(name="rerun")
def rerun_flow(as_of: date, warehouse: Path, out: Path | None = None) -> RerunResult:
    return call(rebuild, warehouse, as_of, out)

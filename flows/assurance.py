"""The assurance flow: sample a submitted period's claimed families for a spot check and
write one evidence pack per family (claims/assurance.py)."""

from datetime import date
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from claims.assurance import AssuranceResult, assurance_packs
from flows.runs import call


@task(name="sample families and write packs", cache_policy=NO_CACHE, refresh_cache=True)
def write_packs(warehouse: Path, as_of: date, out: Path, size: int, seed: int) -> AssuranceResult:
    return assurance_packs(warehouse, as_of, out, size, seed)


@flow(name="assurance")
def assurance_flow(
    as_of: date, warehouse: Path, out: Path, size: int = 10, seed: int = 0
) -> AssuranceResult:
    return call(write_packs, warehouse, as_of, out, size, seed)

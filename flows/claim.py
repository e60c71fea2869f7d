"""The claim flows: decide every case as of a date and write the workbook; import the
historic claims of a council that moves here mid-programme."""

from datetime import date
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from claims.historic import ImportResult, import_historic_claims
from claims.submission import ClaimResult, run_claim
from data_contracts.warehouse import connect
from flows.runs import call
from indicators.plan import load_plan


@task(name="decide and write workbook", cache_policy=NO_CACHE)
def decide_and_write(
    warehouse: Path, plan_file: Path | None, as_of: date, out: Path, submit: bool
) -> ClaimResult:
    with connect(warehouse) as con:
        return run_claim(con, load_plan(plan_file), as_of, out, submit)


@flow(name="claim")
def claim_flow(
    as_of: date, warehouse: Path, out: Path, plan_file: Path | None = None, submit: bool = False
) -> ClaimResult:
    return call(decide_and_write, warehouse, plan_file, as_of, out, submit)


@task(name="link and record historic claims", cache_policy=NO_CACHE)
def record_historic_claims(warehouse: Path, file: Path, plan_file: Path | None) -> ImportResult:
    threshold = load_plan(plan_file).matching["link_threshold"]
    with connect(warehouse) as con:
        return import_historic_claims(con, file, threshold)


@flow(name="import-claims")
def import_claims_flow(file: Path, warehouse: Path, plan_file: Path | None = None) -> ImportResult:
    return call(record_historic_claims, warehouse, file, plan_file)

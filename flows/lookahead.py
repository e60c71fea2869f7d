"""The look-ahead flows: the identification worklist and the claims forecast.

Each task opens the warehouse and calls one plain function of `claims/` (tests call the
same functions without Prefect); the command line holds the warehouse lock around the
flow, as for a claim, since both derive the indicators as of their date first.
"""

from datetime import date
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from claims.forecast import ForecastResult, run_forecast
from claims.worklist import build_worklist
from claims.worklist_workbook import WorklistFiles, write_worklist
from data_contracts.warehouse import connect
from flows.runs import call
from indicators.plan import load_plan


@task(name="list families and write the worklists", cache_policy=NO_CACHE)
def list_families(
    warehouse: Path, plan_file: Path | None, as_of: date, files: WorklistFiles
) -> tuple[WorklistFiles, int, int]:
    with connect(warehouse) as con:
        worklist = build_worklist(con, load_plan(plan_file), as_of)
    write_worklist(worklist, files)
    return files, len(worklist.families), worklist.eligible_families


@flow(name="worklist")
def worklist_flow(
    as_of: date, warehouse: Path, files: WorklistFiles, plan_file: Path | None = None
) -> tuple[WorklistFiles, int, int]:
    return call(list_families, warehouse, plan_file, as_of, files)


@task(name="decide forward and write the forecast", cache_policy=NO_CACHE)
def decide_forward(
    warehouse: Path, plan_file: Path | None, as_of: date, out: Path
) -> ForecastResult:
    with connect(warehouse) as con:
        return run_forecast(con, load_plan(plan_file), as_of, out)


@flow(name="forecast")
def forecast_flow(
    as_of: date, warehouse: Path, out: Path, plan_file: Path | None = None
) -> ForecastResult:
    return call(decide_forward, warehouse, plan_file, as_of, out)

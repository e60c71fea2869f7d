"""`sfp serve`: the nightly flow on a cron schedule (Europe/London by default).

A served run happens in a process the Prefect runner starts, so the run takes the
warehouse lock itself; a run that finds the warehouse busy fails with one line and the
next scheduled run tries again.
"""

import warnings
from pathlib import Path

from prefect import flow
from prefect.schedules import Cron, Schedule
from prefect.states import Failed, State

from data_contracts.warehouse_lock import warehouse_lock
from flows.environment import send_pipeline_logs_to_prefect
from flows.nightly import NightlyResult, nightly_flow
from flows.progress import terminal_progress

# A served run's process imports Great Expectations, which imports pyspark when the spark
# extra is installed; its pandas-3 warning is noise there as in `sfp` (flows/cli.py).
warnings.filterwarnings(
    "ignore", message="PySpark does not yet fully support pandas", category=FutureWarning
)

DEFAULT_CRON = "30 2 * * *"
DEFAULT_TIMEZONE = "Europe/London"


def nightly_schedule(cron: str = DEFAULT_CRON, timezone: str = DEFAULT_TIMEZONE) -> Schedule:
    """The schedule the data team sets; London time so runs follow the clocks changing."""
    return Cron(cron, timezone=timezone)


@flow(name="scheduled-nightly")
def scheduled_nightly_flow(
    inbox: str, warehouse: str, plan_file: str | None = None
) -> NightlyResult | State:
    # Plain-text parameters: the runner loads this file by path in a fresh process, where
    # postponed annotations such as `Path` cannot be resolved for validation. That process
    # has the pipeline's loggers at WARNING and no API handler on them: set them up here.
    send_pipeline_logs_to_prefect()
    # The service's own output (journal, log file) gets the lines a terminal would: each
    # file as it finishes, plain, beside the summary lines the run's log in Prefect keeps.
    with terminal_progress(terminal=False), warehouse_lock(Path(warehouse)):
        state = nightly_flow(
            Path(inbox), Path(warehouse), Path(plan_file) if plan_file else None, return_state=True
        )
    # The night's own outcome, passed up: a night with a refused file ends Failed with "N
    # files refused" (the sub-flow's Failed result, unwrapped, was a TypeError instead).
    result = state.result(raise_on_failure=False)
    if isinstance(result, BaseException):
        raise result
    if state.is_failed():
        return Failed(message=state.message, data=result)
    return result


def serve_nightly(inbox: Path, warehouse: Path, plan_file: Path | None, schedule: Schedule) -> None:
    """Register the deployment and run scheduled nightlies until stopped (Ctrl-C)."""
    scheduled_nightly_flow.serve(
        name="nightly",
        schedules=[schedule],
        parameters={
            "inbox": str(inbox.resolve()),
            "warehouse": str(warehouse.resolve()),
            "plan_file": str(plan_file.resolve()) if plan_file else None,
        },
    )

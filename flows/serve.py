"""`sfp serve`: the nightly flow on a cron schedule (Europe/London by default).

A served run happens in a process the Prefect runner starts, so the run takes the
warehouse lock itself; a run that finds the warehouse busy fails with one line and the
next scheduled run tries again.
"""

from pathlib import Path

from prefect import flow
from prefect.schedules import Cron, Schedule
from prefect.states import State

from data_contracts.warehouse_lock import warehouse_lock
from flows.environment import send_pipeline_logs_to_prefect
from flows.nightly import NightlyResult, nightly_flow

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
    with warehouse_lock(Path(warehouse)):
        return nightly_flow(Path(inbox), Path(warehouse), Path(plan_file) if plan_file else None)


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

"""Settings Prefect must see before it is imported: no server, no telemetry, local home.

Prefect reads these at import, so the command line calls `prepare_prefect` first. Values
already set by the user (a real Prefect server, Prefect Cloud) are left alone.
"""

from __future__ import annotations

import os
from pathlib import Path

from flows.progress import PIPELINE_LOGGERS

DEFAULTS = {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    # The ephemeral server takes ~17 s to start cold; the default 20 s is too tight on CI.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
    # The run's log in Prefect's UI gets every line the pipeline's packages log (INFO and
    # up); the terminal shows them through flows/progress.py, so Prefect's own console
    # handler keeps to warnings (no line printed twice, no "Beginning flow run" noise).
    "PREFECT_LOGGING_LEVEL": "INFO",
    "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "WARNING",
    "PREFECT_LOGGING_EXTRA_LOGGERS": ",".join(PIPELINE_LOGGERS),
    # A line logged outside a flow run (a check before the flow starts) stays local.
    "PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW": "ignore",
}


def prepare_prefect(warehouse: Path) -> None:
    """Keep Prefect's state beside the warehouse so runs leave nothing in the home folder."""
    for key, value in DEFAULTS.items():
        os.environ.setdefault(key, value)
    home = warehouse.resolve().parent / ".prefect"
    home.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PREFECT_HOME", str(home))

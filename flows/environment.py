"""Settings Prefect must see before it is imported: no server, no telemetry, local home.

Prefect reads these at import, so the command line calls `prepare_prefect` first. Values
already set by the user (a real Prefect server, Prefect Cloud) are left alone.
"""

from __future__ import annotations

import logging
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


def send_pipeline_logs_to_prefect() -> None:
    """The run's log in Prefect gets the packages' lines, however Prefect was imported.

    `PREFECT_LOGGING_EXTRA_LOGGERS` only works when set before Prefect first configures
    its logging; a process that imported Prefect earlier (a test session, a served run's
    worker) would lose the lines, so the API handler is attached here too, once.
    """
    from prefect.logging.handlers import APILogHandler

    for name in PIPELINE_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(h, APILogHandler) for h in logger.handlers):
            logger.addHandler(APILogHandler())
        if logger.level == logging.NOTSET or logger.level > logging.INFO:
            logger.setLevel(logging.INFO)

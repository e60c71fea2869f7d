"""Settings Prefect must see before it is imported: no server, no telemetry, local home.

Prefect reads these at import, so the command line calls `prepare_prefect` first. Values
already set by the user (a real Prefect server, Prefect Cloud) are left alone.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
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


WATCHDOG = """
import os, signal, sys, time
parent, server = int(sys.argv[1]), int(sys.argv[2])
def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
while os.getppid() == parent and alive(server):
    time.sleep(0.5)
if os.getppid() != parent and alive(server):
    os.kill(server, signal.SIGTERM)
    for _ in range(50):
        time.sleep(0.1)
        if not alive(server):
            break
    else:
        os.kill(server, signal.SIGKILL)
"""
"""Runs beside `sfp`: when `sfp` is gone (killed, so its exit handler never ran) and
its temporary Prefect server is not, stops the server; exits with the server otherwise."""


def guard_temporary_server() -> int | None:
    """Start Prefect's temporary server now (the flow would start it anyway) and a small
    watchdog that stops it should `sfp` be killed: a killed `sfp` left its server running,
    about 200 MB each (issue 22). Returns the server's process id (None: a real server)."""
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import PREFECT_API_URL

    if PREFECT_API_URL.value():
        return None
    server = SubprocessASGIServer()
    server.start()
    if server.server_process is None:
        return None
    pid = server.server_process.pid
    subprocess.Popen(
        [sys.executable, "-c", WATCHDOG, str(os.getpid()), str(pid)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # Ctrl-C in the terminal is for sfp, which stops it itself
    )
    return pid

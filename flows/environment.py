"""Settings Prefect must see before it is imported: no telemetry, local home, its logs.

Prefect reads these at import, so the command line calls `prepare_prefect` first. Values
already set by the user (a real Prefect server, Prefect Cloud) are left alone. Whether a
server is set decides how the analysts' commands run (docs/adr/0014): `prefect_server_url`.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

from data_contracts.log_records import FILE_LINE, PROGRESS, REFUSAL
from flows.progress import PIPELINE_LOGGERS

DEFAULTS = {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    # The ephemeral server takes ~17 s to start cold; the default 20 s is too tight on CI.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
    # The run's log in Prefect's UI gets the pipeline's lines through one handler that
    # `send_pipeline_logs_to_prefect` attaches (not PREFECT_LOGGING_EXTRA_LOGGERS, which
    # added a second one whenever Prefect configured its logging after us: every line
    # twice). The terminal shows them through flows/progress.py, so Prefect's own console
    # handler keeps to warnings (no line printed twice, no "Beginning flow run" noise).
    "PREFECT_LOGGING_LEVEL": "INFO",
    "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "WARNING",
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


def prefect_server_url() -> str | None:
    """The Prefect server runs go to, if one is set: `PREFECT_API_URL` in the environment,
    or Prefect's own setting when Prefect is already imported (a test session's server)."""
    if os.environ.get("PREFECT_API_URL"):
        return os.environ["PREFECT_API_URL"]
    if "prefect.settings" not in sys.modules:
        return None  # not imported yet: only the environment can have set it
    from prefect.settings import PREFECT_API_URL

    return PREFECT_API_URL.value() or None


class PipelineLinesForPrefect(logging.Filter):
    """What of the pipeline's lines Prefect's run log keeps: the stage, step and summary
    lines (each feed's totals among them) and every refusal; not each file's line nor the
    counts of work done, which the terminal shows as it goes (issue 26: a line sent to the
    API costs CPU, about 17 s a night at 50,000 households when every file had one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, REFUSAL, False):
            return True
        return not (getattr(record, FILE_LINE, False) or getattr(record, PROGRESS, None))


def send_pipeline_logs_to_prefect() -> None:
    """The run's log in Prefect gets the packages' lines, each exactly once.

    Prefect's logging is configured first (importing `prefect` does it once per process;
    doing it now means it cannot add handlers after us), then each pipeline logger gets one
    API handler, replacing any other (a user's PREFECT_LOGGING_EXTRA_LOGGERS, an earlier
    call), and INFO: a served run's process starts with them at WARNING, which stored none
    of its lines.
    """
    from prefect.logging.configuration import ensure_logging_setup
    from prefect.logging.handlers import APILogHandler

    ensure_logging_setup()
    handler = APILogHandler()
    handler.addFilter(PipelineLinesForPrefect())
    for name in PIPELINE_LOGGERS:
        logger = logging.getLogger(name)
        for old in [h for h in logger.handlers if isinstance(h, APILogHandler)]:
            logger.removeHandler(old)
        logger.addHandler(handler)
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

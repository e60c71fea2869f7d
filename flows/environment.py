"""Settings Prefect must see before it is imported: no server, no telemetry, local home.

Prefect reads these at import, so the command line calls `prepare_prefect` first. Values
already set by the user (a real Prefect server, Prefect Cloud) are left alone.
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULTS = {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    # The ephemeral server takes ~17 s to start cold; the default 20 s is too tight on CI.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
    "PREFECT_LOGGING_LEVEL": "WARNING",
}


def prepare_prefect(warehouse: Path) -> None:
    """Keep Prefect's state beside the warehouse so runs leave nothing in the home folder."""
    for key, value in DEFAULTS.items():
        os.environ.setdefault(key, value)
    home = warehouse.resolve().parent / ".prefect"
    home.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PREFECT_HOME", str(home))

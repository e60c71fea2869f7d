"""How an analyst's command runs its flow: on the Prefect server when one is set, as plain
functions when none is (docs/adr/0014).

A flow body calls its tasks through `call`, so the same body runs both ways: inside a
Prefect run each task is a task run the UI shows; outside one it is the task's plain
function, tried again after a passing file-system error as often as the task's own
retries say. The command runs the flow through `run_flow`.
"""

from __future__ import annotations

import time
from typing import Any

from flows.environment import prefect_server_url


def in_prefect_run() -> bool:
    """True inside a Prefect flow run (its tasks then report to the server)."""
    from prefect.context import FlowRunContext

    return FlowRunContext.get() is not None


def call(runnable: Any, *args: Any, **kwargs: Any) -> Any:
    """A task (or sub-flow) under Prefect inside a run; its plain function outside one."""
    if in_prefect_run():
        return runnable(*args, **kwargs)
    tries = 1 + int(getattr(runnable, "retries", 0) or 0)
    delay = getattr(runnable, "retry_delay_seconds", 0) or 0
    for attempt in range(1, tries + 1):
        try:
            return runnable.fn(*args, **kwargs)
        except OSError:
            if attempt == tries:
                raise
            time.sleep(float(delay[0] if isinstance(delay, list) else delay))
    raise AssertionError("unreachable")  # pragma: no cover


def run_flow(flow: Any, *args: Any, **kwargs: Any) -> Any:
    """The command's flow on the Prefect server when one is set; its body, plain, if not."""
    if prefect_server_url():
        return flow(*args, **kwargs)
    return flow.fn(*args, **kwargs)

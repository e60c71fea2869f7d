"""One writer at a time: a second nightly or submitting claim waits or refuses, never mixes in.

The lock is an OS advisory lock (flock) on a file beside the warehouse, so it is released
by the kernel when the holding process dies: a killed run never leaves a stale lock.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from data_contracts.warehouse_paths import lock_path


class WarehouseBusy(RuntimeError):
    """Another run holds the warehouse; the message says which process and what to do."""


@contextmanager
def warehouse_lock(warehouse: Path, wait_seconds: float = 0.0) -> Iterator[None]:
    """Hold the warehouse for one run; wait up to `wait_seconds` for another to finish."""
    path = lock_path(warehouse)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = os.open(path, os.O_CREAT | os.O_RDWR, 0o644)
    deadline = time.monotonic() + wait_seconds
    try:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(handle, 32, 0).decode(errors="replace").strip() or "?"
                    raise WarehouseBusy(
                        f"{warehouse}: another run (process {holder}) is using this warehouse;"
                        " try again when it has finished, or pass --wait SECONDS"
                    ) from None
                time.sleep(0.5)
        os.ftruncate(handle, 0)
        os.pwrite(handle, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(handle)

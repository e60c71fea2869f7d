"""One writer at a time: a second nightly or submitting claim waits or refuses, never mixes in.

The lock is an OS lock on a file beside the warehouse, taken through `filelock` so it works
where council analysts run `sfp` (flock on Linux and macOS, LockFileEx on Windows). The
operating system releases it when the holding process dies, so a killed run never leaves
a stale lock. The holder writes its process ID into the lock file, so a refused run can
say who holds the warehouse (where the platform lets another process read it).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from data_contracts.warehouse_paths import lock_path

POLL_SECONDS = 0.5


class WarehouseBusy(RuntimeError):
    """Another run holds the warehouse, or the lock cannot be taken; the message says which
    process and what to do, in one line."""


def _write_holder(descriptor: int) -> None:
    """Record this process as the holder, through the descriptor that holds the lock."""
    os.ftruncate(descriptor, 0)
    os.lseek(descriptor, 0, os.SEEK_SET)
    os.write(descriptor, str(os.getpid()).encode())


def _holder(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii", errors="replace").strip() or "?"
    except OSError:  # Windows does not let another process read a locked region
        return "?"


@contextmanager
def warehouse_lock(warehouse: Path, wait_seconds: float = 0.0) -> Iterator[None]:
    """Hold the warehouse for one run; wait up to `wait_seconds` for another to finish."""
    path = lock_path(warehouse)
    lock = FileLock(str(path), on_acquired=_write_holder)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock.acquire(timeout=max(wait_seconds, 0.0), poll_interval=POLL_SECONDS)
    except Timeout:
        raise WarehouseBusy(
            f"{warehouse}: another run (process {_holder(path)}) is using this warehouse;"
            " try again when it has finished, or pass --wait SECONDS"
        ) from None
    except OSError as error:
        why = (error.strerror or type(error).__name__).lower()
        raise WarehouseBusy(
            f"{warehouse}: cannot take the warehouse's lock file {path.name} ({why}); the"
            " warehouse's folder must be writable"
        ) from None
    try:
        yield
    finally:
        lock.release()

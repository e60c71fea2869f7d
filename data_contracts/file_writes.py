"""Files written whole or not at all, and a full disk said as such.

A file a command writes (a claim workbook, its report page, a worklist) first goes to a
temporary file beside its target, is flushed to disk, and is then renamed over the target:
a rename within one folder is atomic, so a reader (or a command killed half-way) sees the
old file or the new one, never half of one. The temporary name starts with a dot and ends
`.partial`, so a left-over one is plainly not an output.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path


class OutputWriteError(RuntimeError):
    """A file could not be written (disk full, no permission); one line saying which."""


def describe_write_failure(path: Path, error: OSError) -> str:
    """One line for an output that could not be written: a full disk says so."""
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"{path}: disk full (no space left on the device); free some space and run again"
    if error.errno in (errno.EACCES, errno.EPERM):
        return f"{path}: cannot be written (permission denied on the file or its folder)"
    if error.errno == errno.EROFS:
        return f"{path}: cannot be written (a read-only file or folder)"
    why = (error.strerror or type(error).__name__).lower()
    return f"{path}: cannot be written ({why})"


def partial_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.partial")


def stage_file(path: Path, data: bytes, mode: int | None = None) -> Path:
    """Write `data` to a temporary file beside `path` (flushed to disk); returns its path.

    `mode` (e.g. 0o600) is set on the temporary file before any byte is written, so a
    file of personal data is never readable by others, not even while it is written.
    """
    temporary = partial_path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
        handle = os.open(temporary, flags, 0o666 if mode is None else mode)
        try:
            if mode is not None:
                os.fchmod(handle, mode)
            view = memoryview(data)
            while view:
                view = view[os.write(handle, view) :]
            os.fsync(handle)
        finally:
            os.close(handle)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise OutputWriteError(describe_write_failure(path, error)) from None
    return temporary


def stage_files(contents: dict[Path, bytes], mode: int | None = None) -> dict[Path, Path]:
    """Stage several files (target -> temporary file); on a failure none is left behind."""
    staged: dict[Path, Path] = {}
    try:
        for path, data in contents.items():
            staged[path] = stage_file(path, data, mode)
    except BaseException:
        discard(staged)
        raise
    return staged


def discard(staged: dict[Path, Path]) -> None:
    """Remove staged temporary files that will not be put in place."""
    for temporary in staged.values():
        temporary.unlink(missing_ok=True)


def put_in_place(temporary: Path, path: Path) -> Path:
    """Rename a staged file over its target (atomic within one folder)."""
    try:
        os.replace(temporary, path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise OutputWriteError(describe_write_failure(path, error)) from None
    return path


def write_whole(path: Path, data: bytes | str, mode: int | None = None) -> Path:
    """Write a file so that it is complete or absent, never half-written."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return put_in_place(stage_file(path, raw, mode), path)

"""Where a file naming people (the identification worklist) may be written, and how.

Such a file is kept apart (issue 22): only in a folder the command makes, or one that
already holds personal outputs (its marker, or nothing but earlier worklists); never inside
a partner inbox, never beside the warehouse; the folder readable by its owner only (0700
when the command makes it) and each file 0600 from its first byte.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from data_contracts.file_writes import (
    OutputWriteError,
    describe_write_failure,
    put_in_place,
    stage_file,
)
from data_contracts.inbox_places import enclosing_inbox
from data_contracts.warehouse_paths import OutputPathError, mark_folder

PERSONAL_MARKER = ".sfp-personal"
"""Written into a folder of personal outputs the command made; such a folder is reused."""
PERSONAL_FILE = re.compile(r"^worklist-.*\.xlsx$")
"""What an earlier worklist left in its folder (before folders were marked)."""
OWNER_ONLY_FILE = 0o600
OWNER_ONLY_FOLDER = 0o700


def check_personal_folder(path: Path, warehouse: Path) -> None:
    """Refuse, in one line, a personal file's folder that is in an inbox, beside the
    warehouse, or an existing folder holding other things."""
    folder = path.resolve().parent
    inbox = enclosing_inbox(folder)
    if inbox is not None:
        raise OutputPathError(
            f"{path}: the worklist names people, so it never goes inside a partner inbox"
            f" ({inbox}); choose a folder of its own outside it"
        )
    if folder == warehouse.resolve().parent:
        raise OutputPathError(
            f"{path}: the worklist names people, so it goes in a folder of its own, "
            f"not beside the warehouse (e.g. --out worklist-personal/{path.name})"
        )
    if folder.exists() and not folder.is_dir():
        raise OutputPathError(f"{folder}: is a file (expected a folder for the worklist)")
    if not folder.is_dir() or (folder / PERSONAL_MARKER).is_file():
        return
    others = [e.name for e in folder.iterdir() if not PERSONAL_FILE.match(e.name)]
    if others:
        raise OutputPathError(
            f"{path}: the worklist names people, so it goes only in a new folder or one"
            f" holding earlier worklists; {folder} holds other files (choose another --out)"
        )


def write_personal(path: Path, data: bytes) -> Path:
    """Write a file naming people: its folder made owner-only and marked, the file 0600
    from its first byte, complete or absent (data_contracts/file_writes.py)."""
    folder = path.parent
    made = not folder.exists()
    try:
        if made:
            folder.mkdir(parents=True, mode=OWNER_ONLY_FOLDER)
            os.chmod(folder, OWNER_ONLY_FOLDER)  # whatever the umask took away
        if not (folder / PERSONAL_MARKER).is_file():
            mark_folder(
                folder,
                PERSONAL_MARKER,
                "Personal outputs of `sfp worklist` (people named): keep this folder to its"
                " owner; later worklists are written here.",
            )
    except OSError as error:
        raise OutputWriteError(describe_write_failure(path, error)) from None
    return put_in_place(stage_file(path, data, OWNER_ONLY_FILE), path)

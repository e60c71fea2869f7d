"""What the inbox holds, entry by entry: a file to load, or one refused or skipped, and why.

Only `INBOX/<feed>/<file>` is loaded. Everything else a shared folder collects is listed
with a reason rather than ignored silently, so a file dropped one folder too deep or
beside the feed folders is seen the night it arrives:

- hidden names (`.DS_Store`, `.~lock`), Office owner files (`~$book.xlsx`, made while a
  workbook is open) and Windows' `Thumbs.db` / `desktop.ini`: skipped;
- a file directly in the inbox: refused (it belongs to no feed);
- files in a subfolder of a feed folder (an `archive/` of loaded files): skipped, each;
- a link whose target is missing: skipped; a link to anything outside the inbox: refused
  without being read (an inbox is what a partner may write to, not a way to read the
  rest of the server);
- pipes, sockets and devices: skipped without being opened (reading a pipe never ends).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

SYSTEM_FILES = frozenset({"thumbs.db", "desktop.ini", "icon\r"})
OUTSIDE_REASON = "a link to something outside the inbox (copy the file into the inbox instead)"
BROKEN_LINK_REASON = "a link whose target does not exist"
ROOT_FILE_REASON = (
    "not in a feed folder (expected INBOX/<feed>/<file>: move it into its feed's folder)"
)
SPECIAL_REASON = "not a regular file (a pipe, socket or device is never read)"


@dataclass(frozen=True)
class InboxEntry:
    path: Path
    feed: str | None
    """The feed folder's name in lower case (a feed or not); None at the inbox root."""
    action: str
    """load, refuse or skip."""
    reason: str = ""


def scan_inbox(inbox: Path) -> list[InboxEntry]:
    """Every entry of the inbox in a stable order (so batch numbering is repeatable)."""
    return _level(inbox, inbox.resolve(), None)


def _level(folder: Path, root: Path, feed: str | None) -> list[InboxEntry]:
    """One level: at the root (`feed` None) folders are feeds and a file belongs to none;
    in a feed folder files load and folders are subfolders."""
    try:
        listing = sorted(folder.iterdir())
    except OSError as error:
        if feed is None:
            raise
        return [InboxEntry(folder, feed, "skip", f"folder cannot be listed ({_why(error)})")]
    entries: list[InboxEntry] = []
    for path in listing:
        unusual = _unusual(path, root, feed)
        if unusual:
            entries.append(unusual)
        elif path.is_dir():
            entries.extend(
                _level(path, root, path.name.lower()) if feed is None else _subfolder(path, feed)
            )
        elif feed is None:
            entries.append(InboxEntry(path, None, "refuse", ROOT_FILE_REASON))
        else:
            entries.append(InboxEntry(path, feed, "load"))
    return entries


def _subfolder(folder: Path, feed: str) -> list[InboxEntry]:
    """Each file below a feed folder's subfolder, skipped with where it should go."""
    reason = (
        f"in a subfolder of feed folder '{feed}' (only INBOX/<feed>/<file> is loaded:"
        " move it up to load it)"
    )
    found = []
    for parent, folders, files in os.walk(folder, followlinks=False):
        folders.sort()
        found += [Path(parent) / name for name in sorted(files)]
    if not found:
        return [InboxEntry(folder, feed, "skip", f"an empty subfolder of feed folder '{feed}'")]
    return [InboxEntry(path, feed, "skip", reason) for path in found]


def _unusual(path: Path, root: Path, feed: str | None) -> InboxEntry | None:
    """The entry as refused or skipped, or None for a plain file or folder to go on with."""
    name = path.name
    if name.startswith("."):
        return InboxEntry(path, feed, "skip", "a hidden file or folder")
    if name.startswith("~$"):
        return InboxEntry(path, feed, "skip", "an Office owner file (the workbook is open)")
    if name.lower() in SYSTEM_FILES:
        return InboxEntry(path, feed, "skip", "a system file")
    if path.is_symlink():
        if not path.exists():
            return InboxEntry(path, feed, "skip", BROKEN_LINK_REASON)
        if not path.resolve().is_relative_to(root):
            return InboxEntry(path, feed, "refuse", OUTSIDE_REASON)
    if not path.is_dir() and not path.is_file():
        return InboxEntry(path, feed, "skip", SPECIAL_REASON)
    return None


def _why(error: OSError) -> str:
    return (error.strerror or type(error).__name__).lower()

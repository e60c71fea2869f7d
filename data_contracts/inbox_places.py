"""Whether a folder is (or is inside) a partner inbox, for the commands that must never
write there: the nightly would read a workbook in a feed folder as a partner's file, and a
personal list there is shared with whoever reads the inbox (issue 22)."""

from __future__ import annotations

from pathlib import Path

from data_contracts.feeds import FEEDS


def _source_folders() -> set[str]:
    """The inbox folder names of the source definitions in force (none if they are broken:
    the feed folders still tell an inbox)."""
    from data_contracts.source_catalogue import load_catalogue
    from data_contracts.source_definitions import SourceDefinitionError

    try:
        return {folder.lower() for folder in load_catalogue().folders}
    except (SourceDefinitionError, OSError):
        return set()


def enclosing_inbox(folder: Path) -> Path | None:
    """The partner inbox `folder` is in (or is), if any.

    An inbox is a folder holding two or more feed or source-definition folders (or one,
    when its own name says inbox); a folder named like a feed or source folder is part of
    one. One `Housing` folder in a user's documents does not make them an inbox.
    """
    inbox_folders = {name.lower() for name in FEEDS} | _source_folders()
    for place in (folder, *folder.parents):
        if place.name.lower() in inbox_folders:
            return place.parent
        try:
            children = [c.name.lower() for c in place.iterdir() if c.is_dir()]
        except OSError:
            continue
        feeds = sum(name in inbox_folders for name in children)
        if feeds >= 2 or (feeds and "inbox" in place.name.lower()):
            return place
    return None

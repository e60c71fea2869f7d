"""Versions of one partner file: the same name again, or a renamed copy of it.

A browser saves a second download of `2023-10.csv` as `2023-10 (1).csv`; Windows copies a
file as `2023-10 - Copy.csv` or `Copy of 2023-10.csv`; a Mac as `2023-10 copy.csv`. Each
is a version of `2023-10.csv`, not a new file: treated as one, its rows were staged beside
the original's, or a correction under the original name was quarantined as repeating the
copy (issue 22). The rules (docs/contracts.md, "Re-sent files, renamed copies and
corrections"):

- a file under its original name supersedes every current version of that file, copies
  included (a correction by name always wins);
- a renamed copy whose original is loaded (or arrives the same night) is refused naming
  the original, unless its bytes were already loaded (then `already loaded`): a copy
  never shadows the original;
- a renamed copy of a file never loaded under its original name is loaded as that file,
  and supersedes earlier copies of it (the latest one to arrive wins).
"""

from __future__ import annotations

import re
from collections.abc import Collection

import duckdb

COPY_DECORATIONS = (
    re.compile(r"^copy(?: \(\d+\))? of (?P<name>.+)$", re.IGNORECASE),  # Windows: Copy of x
    re.compile(r"^(?P<name>.+?) ?\(\d{1,3}\)$"),  # browsers: x (1), x(2)
    re.compile(r"^(?P<name>.+?) - copy(?: \(\d+\))?$", re.IGNORECASE),  # Windows: x - Copy (2)
    re.compile(r"^(?P<name>.+?) copy(?: \d+)?$", re.IGNORECASE),  # macOS: x copy, x copy 2
)
"""What a browser or an operating system adds to a file's name (its stem) when it saves
or copies a file beside one of the same name."""


def _original_stem(stem: str) -> str:
    while True:
        for decoration in COPY_DECORATIONS:
            found = decoration.match(stem)
            if found and found.group("name").strip():
                stem = found.group("name").strip()
                break
        else:
            return stem


def original_name(file_name: str) -> str:
    """The name a renamed copy is a copy of (`2023-10 (1).csv` -> `2023-10.csv`); a
    source folder's `<folder>/<file>` keeps its folder. Any other name is its own."""
    folder, slash, name = file_name.rpartition("/")
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    original = _original_stem(stem)
    return f"{folder}{slash}{original}{dot}{suffix}"


def is_copy(file_name: str) -> bool:
    return original_name(file_name) != file_name


def current_versions(
    con: duckdb.DuckDBPyConnection, feed: str, file_name: str
) -> list[tuple[str, str]]:
    """The feed's current (not superseded) batches that are versions of `file_name`'s
    original, as (batch_id, file_name), oldest first."""
    original = original_name(file_name)
    rows = con.execute(
        "select batch_id, file_name from load_batch where feed = ? "
        "and batch_id not in (select batch_id from load_supersession) order by load_seq",
        [feed],
    ).fetchall()
    return [(batch, name) for batch, name in rows if original_name(name) == original]


def copy_refusal(
    con: duckdb.DuckDBPyConnection, feed: str, file_name: str, tonight: Collection[str]
) -> str | None:
    """Why a renamed copy is not loaded: its original is loaded or arrives tonight
    (`tonight`: the recorded names of the feed's files in this run). None for a file
    under its own name, or a copy of a file never loaded under that name."""
    if not is_copy(file_name):
        return None
    original = original_name(file_name)
    loaded = any(name == original for _, name in current_versions(con, feed, file_name))
    if not loaded and original not in tonight:
        return None
    where = "is loaded" if loaded else "is in the inbox too"
    return (
        f"{file_name}: a renamed copy of {original}, which {where}; a copy never replaces"
        f" the original (to correct {original}, send the new file under that name)"
    )

"""Where a warehouse keeps what belongs to it, and which paths a command may never overwrite.

A warehouse is one DuckDB file plus files beside it: its write-ahead log, its lock, and
the folders of models, linkage outputs (review workbooks, match-quality pages) and
validation pages. They are named here once, so the flows and the output-path checks agree.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from data_contracts.inbox_places import enclosing_inbox

DEMO_MARKER = ".sfp-demo"
"""A file the demo writes into a folder it made; only such a folder is ever emptied."""
SAMPLE_MARKER = ".sfp-sample"
"""A file `sfp sample` writes into a folder it made; only such a folder is written again."""
SAMPLE_ENTRIES = frozenset({"inbox", "truth", "historic_claims.csv"})
"""What a sample writes into its folder, and so all that a later sample there replaces."""


class OutputPathError(ValueError):
    """An output path that would overwrite the warehouse or what belongs to it."""


def lock_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".lock")


def models_folder(warehouse: Path) -> Path:
    """Saved person models (and what they scored with) beside the warehouse."""
    return warehouse.parent / f"{warehouse.stem}-models"


def linkage_folder(warehouse: Path) -> Path:
    """Clerical review workbooks and match-quality pages beside the warehouse."""
    return warehouse.parent / f"{warehouse.stem}-linkage"


def reports_folder(warehouse: Path) -> Path:
    """Validation pages live beside the warehouse they describe."""
    return warehouse.parent / f"{warehouse.stem}-reports"


def _protected(warehouse: Path) -> tuple[list[Path], list[Path]]:
    """Files that must never be overwritten, and folders nothing may be written into."""
    files = [warehouse, warehouse.with_name(warehouse.name + ".wal"), lock_path(warehouse)]
    folders = [models_folder(warehouse), linkage_folder(warehouse), reports_folder(warehouse)]
    return [p.resolve() for p in files], [p.resolve() for p in folders]


def check_output_file(out: Path, warehouse: Path) -> None:
    """Refuse an output file that is a folder, or that would overwrite the warehouse's own.

    `sfp claim --out warehouse.duckdb` once replaced the warehouse (and its ledger) with a
    workbook: the check compares resolved paths, so `./w.duckdb` or a symlink is caught too.
    """
    if out.is_dir():
        raise OutputPathError(f"{out}: is a folder (expected a file name for the workbook)")
    target = out.resolve()
    files, folders = _protected(warehouse)
    if target in files:
        raise OutputPathError(
            f"{out}: would overwrite the warehouse's own file {target.name}"
            " (choose another file name for the workbook)"
        )
    for folder in folders:
        if target.is_relative_to(folder):
            raise OutputPathError(
                f"{out}: is inside {folder.name}/, which the warehouse manages"
                " (choose a path outside it)"
            )
    inbox = enclosing_inbox(target.parent)
    if inbox is not None:
        raise OutputPathError(
            f"{out}: is inside a partner inbox ({inbox}), where the nightly would read it"
            " as a partner's file (choose a path outside it)"
        )


def check_own_folder(
    folder: Path, marker: str, command: str, option: str, keep: str = ""
) -> list[Path]:
    """What is in `folder` (hidden entries too; the marker and `keep`, the command's own
    lock, left out); refuse a folder that exists, holds something, and was not made by
    `command` (it holds no `marker`).

    A command that writes a folder of its own (`sfp demo --dir`, `sfp sample --out`) may
    only ever write into a new or empty folder, or one it marked before: a council's
    shared drive or a real inbox given by mistake is left exactly as it was.
    """
    if folder.exists() and not folder.is_dir():
        raise OutputPathError(f"{folder}: is a file (expected a folder for `{command}`)")
    if not folder.is_dir():
        return []
    entries = sorted(entry for entry in folder.iterdir() if entry.name not in (marker, keep))
    if entries and not (folder / marker).is_file():
        raise OutputPathError(
            f"{folder}: folder exists and was not made by `{command}`; it is left as it"
            f" is (choose a new or empty folder with {option})"
        )
    return entries


def remove_entries(entries: list[Path]) -> None:
    for entry in entries:
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def mark_folder(folder: Path, marker: str, note: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / marker).write_text(note + "\n", encoding="utf-8")


def check_demo_folder(folder: Path, keep: Path) -> list[Path]:
    """What the demo would delete in `folder`; refuse a folder the demo did not make."""
    return check_own_folder(folder, DEMO_MARKER, "sfp demo", "--dir", keep.name)


def prepare_demo_folder(folder: Path, keep: Path) -> None:
    """Empty a folder the demo made before (never any other), keeping `keep` (the lock).

    Called with the warehouse lock held, so a second demo cannot write into the folder
    while it is emptied; the lock file itself stays so the lock stays meaningful.
    """
    remove_entries(check_demo_folder(folder, keep))
    mark_folder(folder, DEMO_MARKER, "Made by `sfp demo`: the next demo run empties this folder.")


def check_sample_folder(folder: Path) -> list[Path]:
    """What `sfp sample` would replace in `folder`: only what a sample writes, in a folder
    a sample made (a warehouse the user keeps beside its inbox stays)."""
    entries = check_own_folder(folder, SAMPLE_MARKER, "sfp sample", "--out")
    return [entry for entry in entries if entry.name in SAMPLE_ENTRIES]


def prepare_sample_folder(folder: Path) -> None:
    """Remove an earlier sample's inbox and truth (never anything else) and mark the folder."""
    remove_entries(check_sample_folder(folder))
    mark_folder(
        folder,
        SAMPLE_MARKER,
        "Made by `sfp sample`: the next sample written here replaces inbox/, truth/ and"
        " historic_claims.csv.",
    )

"""Hold back a sample inbox's latest batches, to replay a nightly that brings new months.

The sample writes one file per month (`2025-07.csv`) or term (`2024-25-summer.csv`) in
each feed folder. Incremental derivation is tested and timed by loading the inbox without
its latest months first, then the whole inbox (only the held-back files are new).
"""

from __future__ import annotations

import shutil
from pathlib import Path


def copy_without_latest(inbox: Path, out: Path, from_month: str) -> list[Path]:
    """Copy `inbox` to `out` leaving out files named for `from_month` (YYYY-MM) or later.

    Returns the held-back files (paths inside `inbox`), sorted.
    """
    held: list[Path] = []
    for path in sorted(inbox.rglob("*")):
        if not path.is_file():
            continue
        stem = path.stem
        monthly = len(stem) == 7 and stem[4] == "-" and stem.replace("-", "").isdigit()
        if monthly and stem >= from_month:
            held.append(path)
            continue
        target = out / path.relative_to(inbox)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    return held

"""Split a sample inbox into two nights: everything before a month, then that month.

The incremental nightly is measured and tested on "one new month": the second night gets
every file dated in or after the police feed's last month (police sends monthly over the
whole span), the first night everything before (sample_data/split.py holds the files
back).
"""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

from sample_data.split import copy_without_latest


def split_last_month(inbox: Path, night_one: Path, night_two: Path) -> date:
    """Copy the inbox's files into the two nights; return the day before the new month."""
    new_month = max(path.stem for path in (inbox / "police").glob("*.csv"))
    for path in copy_without_latest(inbox, night_one, new_month):
        target = night_two / path.relative_to(inbox)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    return date.fromisoformat(new_month + "-01") - timedelta(days=1)

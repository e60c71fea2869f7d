"""Split a sample inbox into two nights: everything up to a month, then that month.

The incremental nightly is measured and tested on "one new month": the second night gets
every file dated in or after the police feed's last month (police sends monthly over the
whole span), the first night everything before. File stems are periods (`2025-08`,
`2024-25-summer`), so comparing stems as text orders them.
"""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path


def split_last_month(inbox: Path, night_one: Path, night_two: Path) -> date:
    """Copy the inbox's files into the two nights; return the day before the new month."""
    new_month = max(path.stem for path in (inbox / "police").glob("*.csv"))
    for path in sorted(inbox.glob("*/*.csv")):
        target = night_two if path.stem >= new_month else night_one
        (target / path.parent.name).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target / path.parent.name / path.name)
    return date.fromisoformat(new_month + "-01") - timedelta(days=1)

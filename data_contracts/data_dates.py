"""How far an as-of date lies past the data the warehouse holds.

An analyst who types 2052 for 2025 gets a claim in which every case has long closed and no
feed covers the sustainment window: a valid but useless answer. The commands warn (they do
not refuse: deciding as of a date after the data is legitimate, a forecast looks ahead) when
the date is more than `FAR_PAST_DATA` after the latest dated row of any feed.
"""

from __future__ import annotations

from datetime import date, timedelta

import duckdb

from data_contracts.feeds import FEEDS

FAR_PAST_DATA = timedelta(days=366)
"""Beyond a year and a day no criterion's look-back (12 months at most, docs/rules.md) sees
a single row, so the date is almost certainly a typo."""


def latest_data_date(con: duckdb.DuckDBPyConnection) -> date | None:
    """The latest date any staged row is dated by (its feed's date column); None when the
    warehouse holds no dated rows."""
    present = {name for (name,) in con.execute("select view_name from duckdb_views()").fetchall()}
    parts = [
        f'select max("{feed.date_column}") as d from stg_{feed.name}'
        for feed in FEEDS.values()
        if feed.date_column and f"stg_{feed.name}" in present
    ]
    if not parts:
        return None
    row = con.execute(f"select max(d) from ({' union all '.join(parts)})").fetchone()
    return row[0] if row else None


def as_of_warning(con: duckdb.DuckDBPyConnection, as_of: date) -> str | None:
    """One line for an as-of date years past the data, else None (no names, only dates)."""
    latest = latest_data_date(con)
    if latest is None or as_of - latest <= FAR_PAST_DATA:
        return None
    years = (as_of - latest).days / 365.25
    return (
        f"as-of date {as_of.isoformat()} is {years:.1f} years after the latest dated row in "
        f"the warehouse ({latest.isoformat()}): no look-back window holds any data; "
        "check the date"
    )

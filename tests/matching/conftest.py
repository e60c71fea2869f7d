"""Hand-made person warehouses: staged tables with only the columns linkage reads."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from data_contracts.feeds import FEEDS, PERSON_FEEDS
from data_contracts.warehouse import connect
from matching.normalise import PERSON_COLUMNS

Row = dict[str, object]
OLIVER = {
    "forename": "Oliver",
    "surname": "Hughes",
    "dob": "2012-03-04",
    "postcode": "MK9 2AB",
    "address": "1 High Street",
}


def stage(con: duckdb.DuckDBPyConnection, rows_by_feed: dict[str, list[Row]]) -> None:
    """(Re)create every person feed's staged table; rows get ids `<feed>-b:<n>`."""
    for feed in PERSON_FEEDS:
        extra = ["household_ref"] if feed == "housing" else []
        extra += ["case_id", "role"] if feed == "eh_members" else []
        date_column = FEEDS[feed].date_column
        dated = [date_column] if date_column else []
        columns = ["source_record_id", *PERSON_COLUMNS, "address", *extra]
        typed = [f"{c} varchar" for c in columns] + [f"{c} date" for c in dated]
        # connect() makes stg_<feed> a view over stg_<feed>_all (re-sent files supersede);
        # these hand-made warehouses stage a plain table in its place.
        kind = con.execute(
            "select table_type from information_schema.tables where table_name = ?",
            [f"stg_{feed}"],
        ).fetchall()
        if kind == [("VIEW",)]:
            con.execute(f"drop view stg_{feed}")
        con.execute(f"create or replace table stg_{feed} ({', '.join(typed)})")
        for number, row in enumerate(rows_by_feed.get(feed, []), start=1):
            values = {"source_record_id": f"{feed}-b:{number}", **row}
            if dated:
                values.setdefault(date_column, "2025-01-15")
            names = [c for c in [*columns, *dated] if c in values]
            con.execute(
                f"insert into stg_{feed} ({', '.join(names)}) values "
                f"({', '.join('?' for _ in names)})",
                [values[c] for c in names],
            )


@pytest.fixture()
def person_warehouse(tmp_path: Path) -> Callable[[dict[str, list[Row]]], duckdb.DuckDBPyConnection]:
    """Open a warehouse file under tmp_path staged with the given rows."""
    opened: list[duckdb.DuckDBPyConnection] = []

    def make(rows_by_feed: dict[str, list[Row]]) -> duckdb.DuckDBPyConnection:
        con = connect(tmp_path / f"warehouse-{len(opened)}.duckdb")
        stage(con, rows_by_feed)
        opened.append(con)
        return con

    yield make
    for con in opened:
        con.close()

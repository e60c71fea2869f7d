"""What the worklist and the forecast share: running the rule SQL in the connection's temp
schema, so it reads other rows than the warehouse's without touching the warehouse.

Both look ahead with the claim's own rules rather than a second copy of them: the
worklist runs the registry's need models over candidate families that have no case, the
forecast runs the claim step at later dates over the data known now. DuckDB resolves a
table name to the temp schema first, so a temp table named `case_current` is what the
need models read while it exists; everything made here is dropped on the way out, and
the warehouse's own tables are never written (indicators/incremental.py shadows tables
the same way).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb

from indicators.models import sql_parameters

LOOKAHEAD_SQL_DIR = Path(__file__).parent / "sql"


@dataclass
class TempSchema:
    """The temp tables made for one look-ahead, dropped together when it ends."""

    con: duckdb.DuckDBPyConnection
    made: list[str] = field(default_factory=list)
    views: list[str] = field(default_factory=list)

    def table(self, name: str, sql: str, parameters: Mapping[str, Any] | None = None) -> None:
        """A temp table from a query; named parameters are passed only when it uses them."""
        wanted = sorted(sql_parameters(sql))
        missing = [p for p in wanted if p not in (parameters or {})]
        if missing:
            raise KeyError(f"{name}: no value for ${', $'.join(missing)}")
        self.con.execute(
            f"create or replace temp table {name} as\n{sql}",
            {p: (parameters or {})[p] for p in wanted},
        )
        if name not in self.made:
            self.made.append(name)

    def model(
        self,
        path: Path,
        parameters: Mapping[str, Any],
        name: str | None = None,
    ) -> None:
        """One SQL model file into a temp table named after it (or `name`)."""
        self.table(name or path.stem, path.read_text(encoding="utf-8"), parameters)

    def models(self, sql_dir: Path, names: Iterable[str], parameters: Mapping[str, Any]) -> None:
        for name in names:
            self.model(sql_dir / f"{name}.sql", parameters)

    def restrict(self, table: str, key: str, keep: str) -> None:
        """A temp view named like a warehouse table, holding only the rows whose `key` is
        in the temp table `keep`: the models that follow read only those."""
        database = self.con.execute("select current_database()").fetchall()[0][0]
        self.con.execute(
            f'create or replace temp view {table} as select * from "{database}".main.{table} '
            f"where {key} in (select {key} from temp.{keep})"
        )
        self.views.append(table)

    def drop(self, names: Iterable[str]) -> None:
        for name in names:
            self.con.execute(f"drop table if exists temp.{name}")
            if name in self.made:
                self.made.remove(name)

    def drop_all(self) -> None:
        for view in reversed(self.views):
            self.con.execute(f"drop view if exists temp.{view}")
        self.views.clear()
        self.drop(list(reversed(self.made)))


@contextmanager
def temp_schema(con: duckdb.DuckDBPyConnection) -> Iterator[TempSchema]:
    """Temp tables that shadow the warehouse's for the `with` block, then go."""
    temps = TempSchema(con)
    try:
        yield temps
    finally:
        temps.drop_all()


def quarter_end(day: date) -> date:
    """The last day of the financial quarter holding `day` (quarters start in April,
    July, October and January, so they end on calendar quarter ends)."""
    month = ((day.month - 1) // 3 + 1) * 3
    following = date(day.year + month // 12, month % 12 + 1, 1)
    return following - timedelta(days=1)


def quarter_ends(as_of: date, count: int) -> list[date]:
    """The ends of the quarter holding `as_of` and of the `count - 1` after it."""
    ends = [quarter_end(as_of)]
    while len(ends) < count:
        ends.append(quarter_end(ends[-1] + timedelta(days=1)))
    return ends

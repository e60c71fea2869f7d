"""docs/schema.md lists every warehouse table once, with one owning layer that alone writes it.

Checked two ways: against a warehouse the pipeline built (nothing unlisted, nothing listed
twice) and against the code's own write statements (a statement writing a table sits in a
module the catalogue names as that table's writer, so claims cannot rewrite matching's
`person_link` without this test failing).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from data_contracts.feeds import FEEDS
from tests.sample_data.conftest import Council

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("data_contracts", "matching", "indicators", "claims", "sample_data", "flows")
MODEL_FOLDERS = {"<indicators model>": "indicators/sql", "<claims model>": "claims/sql"}
WRITE = re.compile(
    r"\b(?:insert(?:\s+or\s+replace)?\s+into|delete\s+from|update|alter\s+table|"
    r"drop\s+table(?:\s+if\s+exists)?|create(?:\s+or\s+replace)?\s+table(?:\s+if\s+not\s+exists)?)"
    r"\s+[\"']?([a-z_][a-z0-9_]*)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Entry:
    names: frozenset[str]
    owner: str
    writers: tuple[str, ...]


def catalogue() -> list[Entry]:
    entries = []
    for line in (ROOT / "docs" / "schema.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 4 or not cells[0].startswith("`"):
            continue
        table = cells[0].split("`")[1]
        if table in MODEL_FOLDERS:
            names = {p.stem for p in (ROOT / MODEL_FOLDERS[table]).glob("*.sql")}
        elif "<feed>" in table:
            names = {table.replace("<feed>", feed) for feed in FEEDS}
        else:
            names = {table}
        writers = tuple(re.findall(r"`([^`]+)`", cells[3]))
        entries.append(Entry(frozenset(names), cells[2], writers))
    return entries


def test_every_table_of_a_built_warehouse_is_listed_once(council: Council) -> None:
    entries = catalogue()
    with duckdb.connect(str(council.warehouse), read_only=True) as con:
        objects = {
            name
            for (name,) in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'main' union "
                "select view_name from duckdb_views() where schema_name = 'main' "
                "and not internal"
            ).fetchall()
        }
    listed = [name for entry in entries for name in entry.names]
    assert sorted(n for n in set(listed) if listed.count(n) > 1) == []
    assert sorted(objects - set(listed)) == []
    # Most of the catalogue is in a warehouse after ingest, linkage and a decision.
    assert len(objects & set(listed)) > 0.8 * len(set(listed))


def test_each_table_has_one_owner_and_its_writers_lie_in_that_layer() -> None:
    for entry in catalogue():
        assert entry.owner in PACKAGES, entry
        for writer in entry.writers:
            assert (ROOT / writer).is_file(), writer
            assert writer.split("/")[0] == entry.owner, (sorted(entry.names), writer)


def test_only_a_tables_writers_write_it() -> None:
    owner_of = {name: entry for entry in catalogue() for name in entry.names}
    strays = []
    written = 0
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*")):
            if path.suffix not in (".py", ".sql"):
                continue
            relative = path.relative_to(ROOT).as_posix()
            for table in WRITE.findall(path.read_text(encoding="utf-8")):
                entry = owner_of.get(table.lower())
                if entry is None:
                    continue
                written += 1
                if relative not in entry.writers:
                    strays.append((relative, table))
    assert strays == []
    assert written > 20

"""Source definitions: how one partner's extract maps onto the feeds of SPEC section 1.

A definition is a YAML file under `data_contracts/sources/` (or a council's own folder,
`--sources DIR`) that a data analyst reads and edits: the inbox folder its files land in,
how to read them, and per feed the column names with their aliases, value maps, derived
columns and date formats (docs/sources.md). The feed contracts stay the internal
contract: a definition only says how a partner's shape becomes a feed's columns, and
everything it maps to is checked against the contract before any file is read
(`source_definition_file.py`), so a wrong definition is one line naming the file and the
mistake, never a half load. Which definitions are in force is `source_catalogue.py`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path

from data_contracts.feed_reader import ReadOptions
from data_contracts.feeds import FEEDS, Feed
from data_contracts.source_values import ValueMap, normalise_name

DELIMITERS = {"auto": "", ",": ",", "comma": ",", "\t": "\t", "tab": "\t", "|": "|"}
DELIMITERS |= {"pipe": "|", ";": ";", "semicolon": ";"}
DERIVE_KINDS = (
    "first_of",
    "join",
    "value",
    "map",
    "academic_year_of",
    "term_of",
    "month_of",
    "divide",
)
PERSONAL_COLUMNS = frozenset(
    ("source_person_id", "forename", "surname", "dob", "postcode", "address")
    + ("upn", "nino", "nhs_number")
)
"""Contract columns whose values never appear in a quarantine reason (SPEC section 1)."""
TABLE_ORIGIN = ("_table", "_line")
"""Columns a several-table source's SQL must return: which table and line a row stands for."""


SOURCE_READING = ReadOptions(delimiter="", other_delimiter="detect")
"""A partner's files unless its definition says more: the delimiter that splits the
header line, the first visible sheet, the character set decided per file."""


class SourceDefinitionError(ValueError):
    """A definition that cannot be used; one line naming the file and the mistake."""


@dataclass(frozen=True)
class Derivation:
    """A contract column computed from source columns (docs/sources.md, "derive")."""

    kind: str
    inputs: tuple[str, ...]
    prefix: str = ""
    separator: str = " "
    value: str = ""
    value_map: ValueMap | None = None
    by: float = 1.0
    term_shift: int = 0


@dataclass(frozen=True)
class FeedMapping:
    """How one feed is filled from the source: which table, which columns, which codes."""

    feed: str
    table: str = ""
    """A table of a several-table source; blank: the file's one table."""
    sql: str = ""
    """A DuckDB query over the source's tables (its text), for a feed built from several."""
    sql_file: str = ""
    columns: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    derive: Mapping[str, Derivation] = field(default_factory=dict)
    values: Mapping[str, ValueMap] = field(default_factory=dict)
    date_formats: tuple[str, ...] = ()
    month_formats: tuple[str, ...] = ()

    @property
    def contract(self) -> Feed:
        return FEEDS[self.feed]


@dataclass(frozen=True)
class TableSpec:
    """One table of a source that arrives as several: a workbook sheet or a zipped CSV."""

    name: str
    sheet: str = ""
    member: str = ""
    columns: tuple[str, ...] = ()
    """Columns the table must have (its SQL reads them)."""
    optional: bool = False
    """An absent optional table is read as empty (its columns, no rows)."""


@dataclass(frozen=True)
class SourceDefinition:
    name: str
    folder: str
    feeds: tuple[FeedMapping, ...]
    description: str = ""
    reference: str = ""
    read: ReadOptions = field(default_factory=lambda: SOURCE_READING)
    """How its files are read: the definition's delimiter (blank: detected), sheet,
    header row and character set (None: decided per file, as for a SPEC file)."""
    tables: tuple[TableSpec, ...] = ()
    prepare: str = ""
    """SQL run before a several-table source's feed queries (views they share)."""
    prepare_file: str = ""
    personal: frozenset[str] = frozenset()
    path: Path | None = None

    @cached_property
    def fingerprint(self) -> str:
        """What the definition does, hashed: a reworded comment leaves it unchanged, any
        change to a column, code, format, query or lookup changes it (load_source)."""
        data = asdict(self)
        data.pop("path")
        data.pop("description")
        text = json.dumps(data, sort_keys=True, default=_json_default)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def feed_names(self) -> tuple[str, ...]:
        return tuple(m.feed for m in self.feeds)

    def is_personal(self, column: str) -> bool:
        return column in PERSONAL_COLUMNS or normalise_name(column) in self.personal


def _json_default(value: object) -> object:
    if isinstance(value, frozenset | set):
        return sorted(value)
    if isinstance(value, Path):
        return str(value)
    raise TypeError(type(value).__name__)

"""Reading and checking one source definition file (the YAML an analyst edits).

Everything a definition maps to is checked here against the feed contracts before any
file is read: an unknown feed or column, a column mapped twice, a value mapped onto a
code the contract does not allow, a date format that is no format, a query that does not
run. Each mistake is one line naming the file and what is wrong (`sfp sources check` and
`sfp nightly` print it and stop with exit code 2).
"""

from __future__ import annotations

import codecs
import csv
import re
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from data_contracts.feed_reader import ReadOptions
from data_contracts.feeds import FEEDS, Column, Feed
from data_contracts.source_definitions import (
    DELIMITERS,
    DERIVE_KINDS,
    SOURCE_READING,
    Derivation,
    FeedMapping,
    SourceDefinition,
    SourceDefinitionError,
    TableSpec,
)
from data_contracts.source_values import (
    DATE_FORMAT_NAMES,
    MONTH_FORMAT_NAMES,
    ValueMap,
    allowed_value,
    normalise_name,
)

_NAME = re.compile(r"^[a-z0-9][a-z0-9_]*$")


class _DefinitionLoader(yaml.SafeLoader):
    """YAML with every plain scalar a string: `No`, `Y`, `1` and `2024-25` stay as typed
    (PyYAML would read them as false, true, 1 and a number), and a key written twice is
    an error instead of the last one silently winning."""


_DefinitionLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag == "tag:yaml.org,2002:null"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _unique_keys(loader: _DefinitionLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: set[object] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise SourceDefinitionError(
                f"'{key}' is written twice (line {key_node.start_mark.line + 1}): a column or"
                " value can be mapped only once"
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_DefinitionLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_keys)


def read_definition(path: Path) -> SourceDefinition:
    """Read and check one definition file; raises SourceDefinitionError naming the file."""
    try:
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=_DefinitionLoader)  # noqa: S506
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            where = f" at line {mark.line + 1}" if mark else ""
            raise SourceDefinitionError(f"not valid YAML{where}") from None
        except (OSError, UnicodeDecodeError) as error:
            raise SourceDefinitionError(f"cannot be read ({error})") from None
        definition = _definition(data, path)
    except SourceDefinitionError as error:
        raise SourceDefinitionError(f"{path}: {error}") from None
    from data_contracts.source_tables import check_sql

    for mapping in definition.feeds:
        if mapping.sql:
            problem = check_sql(definition, mapping)
            if problem:
                raise SourceDefinitionError(f"{path}: feed {mapping.feed}: {problem}")
    return definition


TOP_KEYS: tuple[str, ...] = (
    "name", "description", "reference", "folder", "read", "tables", "personal", "feeds",
    "date_formats", "month_formats", "prepare",
)  # fmt: skip
FEED_KEYS = ("table", "sql", "columns", "values", "derive", "date_formats", "month_formats")


def _definition(data: object, path: Path) -> SourceDefinition:
    body = _mapping(data, "the file", TOP_KEYS)
    name = _text(body.get("name"), "name")
    if name != path.stem:
        raise SourceDefinitionError(f"name '{name}' must be the file's name ('{path.stem}')")
    if not _NAME.match(name):
        raise SourceDefinitionError(
            f"name '{name}' must be lower-case letters, digits and underscores"
        )
    folder = _text(body.get("folder") or name, "folder")
    if folder.lower() in FEEDS:
        raise SourceDefinitionError(
            f"folder '{folder}' is the SPEC feed folder of that name: a source needs its own"
        )
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", folder):
        raise SourceDefinitionError(f"folder '{folder}' must be one folder name")
    tables = _tables(body.get("tables"))
    shared_dates = _formats(body.get("date_formats"), "date_formats", DATE_FORMAT_NAMES)
    shared_months = _formats(body.get("month_formats"), "month_formats", MONTH_FORMAT_NAMES)
    feeds_body = _mapping(body.get("feeds"), "feeds")
    if not feeds_body:
        raise SourceDefinitionError("feeds: name at least one feed the source fills")
    feeds = []
    for feed_name, spec in feeds_body.items():
        if feed_name not in FEEDS:
            raise SourceDefinitionError(
                f"unknown feed '{feed_name}' (expected one of: {', '.join(FEEDS)})"
            )
        mapping = _feed_mapping(FEEDS[feed_name], spec, tables, path.parent)
        if not mapping.date_formats:
            mapping = replace(mapping, date_formats=shared_dates)
        if not mapping.month_formats:
            mapping = replace(mapping, month_formats=shared_months)
        feeds.append(mapping)
    personal = frozenset(normalise_name(c) for c in _texts(body.get("personal"), "personal"))
    prepare_file = _text(body.get("prepare") or "", "prepare")
    if prepare_file and not tables:
        raise SourceDefinitionError("prepare: only a source of several tables runs a query")
    return SourceDefinition(
        name=name,
        folder=folder,
        feeds=tuple(feeds),
        description=_text(body.get("description") or "", "description"),
        reference=_text(body.get("reference") or "", "reference"),
        read=_read_options(body.get("read"), bool(tables)),
        tables=tables,
        prepare=_sql_text(path.parent, prepare_file, "prepare"),
        prepare_file=prepare_file,
        personal=personal,
        path=path,
    )


def _read_options(data: object, several_tables: bool) -> ReadOptions:
    body = _mapping(data, "read", ("delimiter", "sheet", "header_row", "encoding"))
    delimiter = body.get("delimiter") or "auto"
    if not isinstance(delimiter, str) or delimiter.lower() not in DELIMITERS:
        raise SourceDefinitionError(
            f"read.delimiter '{delimiter}' (expected one of: comma, tab, pipe, semicolon, auto)"
        )
    header_row = body.get("header_row") or "1"
    if not str(header_row).isdigit() or int(header_row) < 1:
        raise SourceDefinitionError(f"read.header_row '{header_row}' (expected a line number)")
    sheet = _text(body.get("sheet") or "", "read.sheet")
    if several_tables and sheet:
        raise SourceDefinitionError("read.sheet: a source of several tables names each table's")
    encoding = _text(body.get("encoding") or "", "read.encoding")
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise SourceDefinitionError(
                f"read.encoding '{encoding}' is no character set (expected a name such as"
                " utf-8, cp1252, mac_roman or utf-16; leave it out to decide per file)"
            ) from None
    return replace(
        SOURCE_READING,
        encoding=encoding or None,
        delimiter=DELIMITERS[delimiter.lower()],
        sheet=sheet or None,
        header_row=int(header_row),
    )


def _tables(data: object) -> tuple[TableSpec, ...]:
    specs = []
    for name, spec in _mapping(data, "tables").items():
        body = _mapping(spec, f"tables.{name}", ("sheet", "file", "columns", "optional"))
        optional = str(body.get("optional") or "false").lower()
        if optional not in ("true", "false", "yes", "no"):
            raise SourceDefinitionError(f"tables.{name}.optional '{optional}' (expected true)")
        if body.get("sheet") and body.get("file"):
            raise SourceDefinitionError(f"tables.{name}: a sheet or a file, not both")
        specs.append(
            TableSpec(
                name=_text(name, "table name"),
                sheet=_text(body.get("sheet") or "", f"tables.{name}.sheet"),
                member=_text(body.get("file") or "", f"tables.{name}.file"),
                columns=_texts(body.get("columns"), f"tables.{name}.columns"),
                optional=optional in ("true", "yes"),
            )
        )
    names = [normalise_name(s.name) for s in specs]
    if len(set(names)) != len(names):
        raise SourceDefinitionError("tables: two tables have the same name")
    return tuple(specs)


def _feed_mapping(
    feed: Feed, data: object, tables: tuple[TableSpec, ...], folder: Path
) -> FeedMapping:
    where = f"feeds.{feed.name}"
    body = _mapping(data, where, FEED_KEYS)
    contract = {c.name: c for c in feed.all_columns}
    table = _text(body.get("table") or "", f"{where}.table")
    sql_file = _text(body.get("sql") or "", f"{where}.sql")
    if tables and not (table or sql_file):
        raise SourceDefinitionError(f"{where}: name its table or its sql file")
    if table and sql_file:
        raise SourceDefinitionError(f"{where}: a table or a sql file, not both")
    if (table or sql_file) and not tables:
        raise SourceDefinitionError(f"{where}: a table or sql needs the source's tables listed")
    if table and normalise_name(table) not in {normalise_name(t.name) for t in tables}:
        raise SourceDefinitionError(f"{where}.table '{table}' is not one of the source's tables")
    sql = _sql_text(folder, sql_file, f"{where}.sql")

    columns: dict[str, tuple[str, ...]] = {}
    used: dict[str, str] = {}
    for target, aliases in _mapping(body.get("columns"), f"{where}.columns").items():
        _known_column(target, contract, feed, f"{where}.columns")
        names = _texts(aliases, f"{where}.columns.{target}")
        if not names:
            raise SourceDefinitionError(f"{where}.columns.{target}: name its source column")
        for alias in names:
            key = normalise_name(alias)
            if key in used and used[key] != target:
                raise SourceDefinitionError(
                    f"{where}.columns: source column '{alias}' mapped twice (to {used[key]} and"
                    f" {target}); derive a copy instead"
                )
            used[key] = target
        columns[target] = names

    values = {}
    for target, spec in _mapping(body.get("values"), f"{where}.values").items():
        column = _known_column(target, contract, feed, f"{where}.values")
        values[target] = _value_map(spec, column, f"{where}.values.{target}", folder)

    derive = {}
    for target, spec in _mapping(body.get("derive"), f"{where}.derive").items():
        column = _known_column(target, contract, feed, f"{where}.derive")
        derive[target] = _derivation(spec, column, f"{where}.derive.{target}", folder)

    return FeedMapping(
        feed=feed.name,
        table=table,
        sql=sql,
        sql_file=sql_file,
        columns=columns,
        derive=derive,
        values=values,
        date_formats=_formats(body.get("date_formats"), f"{where}.date_formats", DATE_FORMAT_NAMES),
        month_formats=_formats(
            body.get("month_formats"), f"{where}.month_formats", MONTH_FORMAT_NAMES
        ),
    )


def _sql_text(folder: Path, file_name: str, where: str) -> str:
    if not file_name:
        return ""
    path = folder / file_name
    if not path.is_file():
        raise SourceDefinitionError(f"{where}: file {file_name} not found beside it")
    return path.read_text(encoding="utf-8")


def _known_column(target: str, contract: dict[str, Column], feed: Feed, where: str) -> Column:
    if target not in contract:
        raise SourceDefinitionError(
            f"{where}: '{target}' is not a column of feed {feed.name} (expected one of:"
            f" {', '.join(contract)})"
        )
    return contract[target]


def _value_map(data: object, column: Column, where: str, folder: Path) -> ValueMap:
    """`{source value: code}`, or `{map: {...}, file: lookup.csv, otherwise: code}`."""
    body = _mapping(data, where)
    if set(body) & {"map", "file", "otherwise"}:
        body = _mapping(data, where, ("map", "file", "otherwise"))
        pairs = dict(_mapping(body.get("map"), f"{where}.map"))
        if body.get("file"):
            pairs.update(_lookup_file(folder / _text(body["file"], f"{where}.file"), where))
        otherwise = body.get("otherwise")
    else:
        pairs, otherwise = dict(body), None
    if not pairs and otherwise is None:
        raise SourceDefinitionError(f"{where}: an empty value map")
    entries: dict[str, str] = {}
    labels: dict[str, str] = {}
    for source, code in pairs.items():
        source_text = "" if source is None else _text(source, f"{where} key")
        code_text = "" if code is None else _text(code, f"{where}.{source_text}")
        _check_code(code_text, column, f"{where}: '{source_text}'")
        key = normalise_name(source_text)
        if key in entries:
            raise SourceDefinitionError(
                f"{where}: '{labels[key]}' and '{source_text}' are the same value once case,"
                " spaces and punctuation are ignored"
            )
        entries[key] = code_text
        labels[key] = source_text
    otherwise_text = None
    if otherwise is not None:
        otherwise_text = _text(otherwise, f"{where}.otherwise")
        _check_code(otherwise_text, column, f"{where}: otherwise")
    return ValueMap(column.name, entries, labels, otherwise_text)


def _check_code(code: str, column: Column, where: str) -> None:
    if code and not allowed_value(code, column):
        expected = column.expected or f"a value for {column.name}"
        raise SourceDefinitionError(
            f"{where} maps onto '{code}', which feed column {column.name} does not allow"
            f" ({expected})"
        )


def _lookup_file(path: Path, where: str) -> dict[str, str]:
    """A two-column CSV a council edits: source value, code (more columns are notes)."""
    if not path.is_file():
        raise SourceDefinitionError(f"{where}: lookup file {path.name} not found beside it")
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = [row for row in csv.reader(handle) if any(cell.strip() for cell in row)]
    if not rows or len(rows[0]) < 2:
        raise SourceDefinitionError(f"{where}: {path.name} needs two columns, value and code")
    pairs: dict[str, str] = {}
    for number, row in enumerate(rows[1:], start=2):
        if len(row) < 2:
            raise SourceDefinitionError(f"{where}: {path.name} line {number} has no code")
        if row[0].strip() in pairs:
            raise SourceDefinitionError(
                f"{where}: {path.name} line {number}: '{row[0].strip()}' is listed twice"
            )
        pairs[row[0].strip()] = row[1].strip()
    return pairs


def _derivation(data: object, column: Column, where: str, folder: Path) -> Derivation:
    body = _mapping(data, where)
    kinds = [k for k in body if k in DERIVE_KINDS]
    if len(kinds) != 1:
        raise SourceDefinitionError(
            f"{where}: give exactly one of {', '.join(DERIVE_KINDS)}"
            + (f" (found {', '.join(map(str, body))})" if body else "")
        )
    kind = kinds[0]
    options = {
        "first_of": ("prefix",),
        "join": ("separator",),
        "value": (),
        "map": ("values", "file", "otherwise"),
        "academic_year_of": ("term_shift",),
        "term_of": ("term_shift",),
        "month_of": (),
        "divide": ("by",),
    }[kind]
    _mapping(data, where, (kind, *options))
    if kind == "value":
        value = _text(body["value"], where)
        _check_code(value, column, where)
        return Derivation(kind, (), value=value)
    inputs = _texts(body[kind], f"{where}.{kind}")
    if not inputs:
        raise SourceDefinitionError(f"{where}.{kind}: name the source column(s)")
    derivation = Derivation(kind, inputs)
    if kind == "first_of":
        return replace(derivation, prefix=_text(body.get("prefix") or "", where))
    if kind == "join":
        separator = body.get("separator")
        return replace(derivation, separator=" " if separator is None else separator)
    if kind == "map":
        spec = {k: v for k, v in body.items() if k in ("file", "otherwise")}
        spec["map"] = body.get("values") or {}
        return replace(derivation, value_map=_value_map(spec, column, where, folder))
    if kind in ("academic_year_of", "term_of"):
        shift = str(body.get("term_shift") or "0")
        if not re.fullmatch(r"[+-]?\d", shift):
            raise SourceDefinitionError(f"{where}.term_shift '{shift}' (expected -3 to 3)")
        return replace(derivation, term_shift=int(shift))
    if kind == "divide":
        by = str(body.get("by") or "")
        try:
            number = float(by)
        except ValueError:
            number = 0.0
        if number == 0:
            raise SourceDefinitionError(f"{where}.by '{by}' (expected a number other than 0)")
        return replace(derivation, by=number)
    return derivation


def _formats(data: object, where: str, names: tuple[str, ...]) -> tuple[str, ...]:
    formats = _texts(data, where)
    for text in formats:
        if text not in names and "%" not in text:
            raise SourceDefinitionError(
                f"{where}: '{text}' (expected {', '.join(names)} or a pattern such as %d/%m/%Y)"
            )
        if text not in names:
            _check_pattern(text, where, whole_date=where.endswith("date_formats"))
    return formats


PATTERN_PROBE = datetime(2024, 5, 17, 13, 45, 30)
"""A date every pattern must write and read back (to the day, or to the month)."""


def _check_pattern(pattern: str, where: str, whole_date: bool) -> None:
    """A strftime pattern that reads back the date it writes: a bad directive (`%Q`, a
    stray `%`) or a pattern without the year, month (and day) is one line here, when the
    definition is loaded, not a traceback when a file is read (issue 22)."""
    import pandas as pd

    wanted = "a day, month and year" if whole_date else "a month and year"
    try:
        written = PATTERN_PROBE.strftime(pattern)
        read = pd.to_datetime(pd.Series([written]), format=pattern, errors="coerce").iloc[0]
    except (ValueError, TypeError) as error:
        raise SourceDefinitionError(
            f"{where}: '{pattern}' is not a date pattern ({error}); expected one such as %d/%m/%Y"
        ) from None
    parts = (read.year, read.month, read.day) if not pd.isna(read) else None
    expected = (2024, 5, 17) if whole_date else (2024, 5)
    if parts is None or parts[: len(expected)] != expected:
        raise SourceDefinitionError(
            f"{where}: '{pattern}' does not read {wanted} (expected a pattern such as"
            f" {'%d/%m/%Y' if whole_date else '%m/%Y'})"
        )


def _mapping(data: object, where: str, allowed: tuple[str, ...] | None = None) -> dict[Any, Any]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SourceDefinitionError(f"{where}: expected a mapping of names to values")
    if allowed is not None:
        unknown = [str(k) for k in data if k not in allowed]
        if unknown:
            raise SourceDefinitionError(
                f"{where}: unknown key(s) {', '.join(unknown)} (expected: {', '.join(allowed)})"
            )
    return data


def _text(data: object, where: str) -> str:
    if not isinstance(data, str):
        raise SourceDefinitionError(f"{where}: expected a single value, got {data!r}")
    return data


def _texts(data: object, where: str) -> tuple[str, ...]:
    if data is None:
        return ()
    if isinstance(data, str):
        return (data,)
    if isinstance(data, list) and all(isinstance(item, str) for item in data):
        return tuple(data)
    raise SourceDefinitionError(f"{where}: expected a name or a list of names")

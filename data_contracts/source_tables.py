"""Reading a partner's file as its definition says: delimiter, sheet, title lines, tables.

A one-table source is a CSV (any of the four delimiters) or one sheet of a workbook. A
source that arrives as several tables (the Standard Safeguarding Dataset's `ssd_person`,
`ssd_cin_plans`, ...) is a workbook with a sheet per table or a zip of one CSV per table;
its feed rows come from a DuckDB query over those tables, run in a private in-memory
database so nothing touches the warehouse. Row numbers stay the file's own lines.

Every table, a zipped CSV or a sheet as much as a one-table file, is read by the same
hardened reader as a SPEC file (`feed_reader.read_table`): the character set decided per
file (or the definition's), the first visible sheet, trailing blank header columns
dropped, and a line with a NUL character, an over-long value, bytes not valid in its
character set or the wrong number of fields quarantined on its own.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace
from pathlib import Path

import duckdb
import pandas as pd

from data_contracts.feed_reader import (
    HEAD_BYTES,
    FeedFileError,
    FeedTable,
    ReadOptions,
    display_name,
    head_lines,
    read_table,
    sheet_states,
)
from data_contracts.source_definitions import (
    TABLE_ORIGIN,
    FeedMapping,
    SourceDefinition,
    TableSpec,
)
from data_contracts.source_values import normalise_name

TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
WORKBOOK_SUFFIXES = (".xlsx",)
ZIP_SUFFIXES = (".zip",)
MAX_ZIP_MEMBER_BYTES = 2_000_000_000
"""A zipped table larger than this unpacked is refused (a zip bomb, not an extract)."""


def read_source_tables(
    path: Path,
    definition: SourceDefinition,
    wanted: tuple[str, ...] = (),
    header_only: bool = False,
    first_lines: int | None = None,
) -> dict[str, FeedTable]:
    """The file's tables: `{"": table}` for a one-table source, else by table name.

    Column names keep their case (the definition's aliases ignore it). `header_only`
    reads just the column names (to choose a definition for a file without reading all of
    it); `first_lines` reads only that many lines of a one-table text file (a preview).
    Raises FeedFileError (one line naming the file) for what cannot be read as the
    definition says.
    """
    name = display_name(path)
    suffix = path.suffix.lower()
    if header_only and suffix in TEXT_SUFFIXES:
        data = _head_bytes(path)
    elif first_lines and suffix in TEXT_SUFFIXES and not definition.tables:
        data = head_lines(path, first_lines)  # a preview (`sfp sources check`)
    else:
        data = path.read_bytes()
    if not data.strip():
        raise FeedFileError(f"{name}: empty file (expected a header row and data rows)")
    options = definition.read
    if not definition.tables:
        if suffix in TEXT_SUFFIXES:
            return {"": read_table(data, "csv", name, options, True, header_only)}
        if suffix in WORKBOOK_SUFFIXES:
            if options.sheet:
                sheet = _pick(options.sheet, _sheet_titles(data, name), "sheet", name)
                options = replace(options, sheet=sheet)
            return {"": read_table(data, "xlsx", name, options, True, header_only)}
        raise FeedFileError(
            f"{name}: not a CSV or XLSX file (expected .csv, .txt, .tsv or .xlsx for source"
            f" {definition.name})"
        )
    specs = [t for t in definition.tables if not wanted or t.name in wanted]
    if suffix in WORKBOOK_SUFFIXES:
        sheets = _sheet_titles(data, name)
        tables = {}
        for spec in specs:
            sheet = _pick(spec.sheet or spec.name, sheets, "sheet", name, spec.optional)
            tables[spec.name] = (
                read_table(
                    data,
                    "xlsx",
                    f"{name}!{sheet}",
                    replace(options, sheet=sheet),
                    True,
                    header_only,
                )
                if sheet
                else _empty(spec)
            )
        return tables
    if suffix in ZIP_SUFFIXES:
        return _zip_tables(data, specs, options, name, header_only)
    raise FeedFileError(
        f"{name}: source {definition.name} arrives as several tables (expected a .xlsx"
        " workbook with a sheet per table, or a .zip of one CSV per table)"
    )


def _head_bytes(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(HEAD_BYTES)


def _sheet_titles(data: bytes, name: str) -> list[str]:
    try:
        return [title for title, _ in sheet_states(data)]
    except Exception as error:  # openpyxl raises many types for a damaged workbook
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise FeedFileError(f"{name}: unreadable XLSX workbook ({first})") from None


def _pick(wanted: str, available: list[str], kind: str, name: str, optional: bool = False) -> str:
    """The sheet or zipped file named `wanted`, case, spaces and punctuation ignored;
    '' for an optional table the file does not have."""
    key = normalise_name(wanted)
    for candidate in available:
        if normalise_name(Path(candidate).stem if kind == "file" else candidate) == key:
            return candidate
    if optional:
        return ""
    raise FeedFileError(f"{name}: no {kind} '{wanted}' (found: {', '.join(available) or 'none'})")


def _zip_tables(
    data: bytes,
    specs: list[TableSpec],
    options: ReadOptions,
    name: str,
    header_only: bool = False,
) -> dict[str, FeedTable]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise FeedFileError(f"{name}: unreadable zip ({error})") from None
    with archive:
        members = [m for m in archive.namelist() if not m.endswith("/")]
        tables = {}
        for spec in specs:
            member = _pick(spec.member or spec.name, members, "file", name, spec.optional)
            if not member:
                tables[spec.name] = _empty(spec)
                continue
            where = f"{name}!{display_name(member)}"
            if archive.getinfo(member).file_size > MAX_ZIP_MEMBER_BYTES:
                raise FeedFileError(f"{where}: too large to be an extract table")
            try:
                content = archive.read(member)
            except (zipfile.BadZipFile, OSError, RuntimeError) as error:
                raise FeedFileError(f"{where}: unreadable zip member ({error})") from None
            tables[spec.name] = read_table(content, "csv", where, options, True, header_only)
    return tables


def _empty(spec: TableSpec) -> FeedTable:
    return FeedTable(pd.DataFrame(columns=list(spec.columns), dtype="str"), (), "absent")


def read_as(tables: dict[str, FeedTable]) -> str:
    """How a source's tables were read, for `load_batch.read_as` (each way once)."""
    ways = list(dict.fromkeys(t.read_as for t in tables.values() if t.read_as != "absent"))
    return "; ".join(ways)


# ---------------------------------------------------------------- several tables, one query


def query_tables(
    definition: SourceDefinition,
    mapping: FeedMapping,
    tables: dict[str, FeedTable],
    name: str,
    quote_error: bool = False,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run a feed's SQL over the tables: (rows, origin of each row: `_table`, `_line`).

    Rows come back in a fixed order (table as listed, then line) so batch row numbers are
    repeatable. A line the reader could not read (the wrong number of fields, a NUL
    character, bytes not valid text) is read as blanks; a row the query returns for such
    a line is refused by the caller with the reader's reason.
    """
    con = duckdb.connect(config={"autoload_known_extensions": False})
    try:
        for table_name, table in tables.items():
            con.register(table_name, _with_lines(table))
        try:
            if definition.prepare:
                con.execute(definition.prepare)
            result = con.execute(mapping.sql).df()
        except duckdb.Error as error:
            # DuckDB's message can quote a value of the file: it is shown only for the
            # definition's own check on empty tables, never for a partner's file.
            why = str(error).splitlines()[0] if quote_error else _query_failure(error)
            raise FeedFileError(f"{name}: source query for {mapping.feed} failed ({why})") from None
    finally:
        con.close()
    order = {t: position for position, t in enumerate(tables)}
    result["_order"] = result["_table"].map(order).fillna(len(order))
    result = result.sort_values(["_order", "_line"], kind="stable").drop(columns="_order")
    result.index = pd.RangeIndex(2, 2 + len(result))
    result["_line"] = pd.to_numeric(result["_line"], errors="coerce").fillna(0)
    origin = result[list(TABLE_ORIGIN)].astype({"_line": "int64", "_table": "str"})
    rows = result.drop(columns=list(TABLE_ORIGIN))
    rows = rows.astype("str").where(rows.notna(), "").astype("str")
    return rows, origin


def _query_failure(error: duckdb.Error) -> str:
    kind = type(error).__name__
    if isinstance(error, duckdb.ConversionException):
        return f"{kind}: a value in the file does not convert as the query says"
    return kind


def _with_lines(table: FeedTable) -> pd.DataFrame:
    """A line the reader could not read is read as blanks: a row built from it is refused
    whole, and rows that join to it find nothing (docs/sources.md)."""
    frame = table.frame.copy()
    unreadable = table.unreadable_rows
    if unreadable:
        frame.loc[unreadable, :] = ""
    return frame.assign(_line=frame.index.to_numpy(dtype="int64"))


def check_sql(definition: SourceDefinition, mapping: FeedMapping) -> str:
    """Run a feed's query on empty tables of the declared columns; '' if it works."""
    empty = {t.name: _empty(t) for t in definition.tables}
    try:
        query_tables(definition, mapping, empty, "its query", quote_error=True)
    except FeedFileError as error:
        return str(error).replace("its query: ", "")
    except KeyError as error:
        return f"the query must return {', '.join(TABLE_ORIGIN)} (missing {error})"
    return ""

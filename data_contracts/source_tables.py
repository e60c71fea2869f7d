"""Reading a partner's file as its definition says: delimiter, sheet, title lines, tables.

A one-table source is a CSV (any of the four delimiters) or one sheet of a workbook. A
source that arrives as several tables (the Standard Safeguarding Dataset's `ssd_person`,
`ssd_cin_plans`, ...) is a workbook with a sheet per table or a zip of one CSV per table;
its feed rows come from a DuckDB query over those tables, run in a private in-memory
database so nothing touches the warehouse. Row numbers stay the file's own lines.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from data_contracts.ingest import FeedFileError, _csv_records, _xlsx_records, decode_csv
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
SNIFFED = (",", "\t", "|", ";")
MAX_ZIP_MEMBER_BYTES = 2_000_000_000
"""A zipped table larger than this unpacked is refused (a zip bomb, not an extract)."""


@dataclass(frozen=True)
class SourceTable:
    """One table's rows as text, original column names, indexed by the file's line."""

    name: str
    frame: pd.DataFrame
    ragged: dict[int, int]
    """Line -> fields found, for a line without one field per header column."""


def read_source_tables(
    path: Path,
    definition: SourceDefinition,
    wanted: tuple[str, ...] = (),
    header_only: bool = False,
) -> dict[str, SourceTable]:
    """The file's tables: `{"": table}` for a one-table source, else by table name.

    `header_only` reads just the column names (to choose a definition for a file without
    reading all of it). Raises FeedFileError (one line naming the file) for what cannot be
    read as the definition says.
    """
    name = str(path)
    suffix = path.suffix.lower()
    data = _head_bytes(path) if header_only and suffix in TEXT_SUFFIXES else path.read_bytes()
    if not data.strip():
        raise FeedFileError(f"{name}: empty file (expected a header row and data rows)")
    if not definition.tables:
        if suffix in TEXT_SUFFIXES:
            text = _head_text(data) if header_only else decode_csv(data, name)
            return {"": _text_table("", text, definition, name, header_only)}
        if suffix in WORKBOOK_SUFFIXES:
            sheet = definition.read.sheet
            if sheet:
                sheet = _pick(sheet, _sheet_names(data, name), "sheet", name)
            return {"": _sheet_table("", data, sheet, definition, name, header_only)}
        raise FeedFileError(
            f"{name}: not a CSV or XLSX file (expected .csv, .txt, .tsv or .xlsx for source"
            f" {definition.name})"
        )
    specs = [t for t in definition.tables if not wanted or t.name in wanted]
    if suffix in WORKBOOK_SUFFIXES:
        sheets = _sheet_names(data, name)
        tables = {}
        for spec in specs:
            sheet = _pick(spec.sheet or spec.name, sheets, "sheet", name, spec.optional)
            tables[spec.name] = (
                _sheet_table(spec.name, data, sheet, definition, name, header_only)
                if sheet
                else _empty(spec)
            )
        return tables
    if suffix in ZIP_SUFFIXES:
        return _zip_tables(data, specs, definition, name, header_only)
    raise FeedFileError(
        f"{name}: source {definition.name} arrives as several tables (expected a .xlsx"
        " workbook with a sheet per table, or a .zip of one CSV per table)"
    )


HEAD_BYTES = 1 << 16


def _head_bytes(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(HEAD_BYTES)


def _head_text(data: bytes) -> str:
    """The first lines of a file for its header; a character cut at the end is dropped."""
    text = data[:HEAD_BYTES].decode("utf-8-sig", errors="replace")
    if "\ufffd" in text.rsplit("\n", 1)[0]:
        text = data[:HEAD_BYTES].decode("cp1252", errors="replace")
    return text.rsplit("\n", 1)[0] if len(data) >= HEAD_BYTES else text


def _text_table(
    table: str, text: str, definition: SourceDefinition, name: str, header_only: bool = False
) -> SourceTable:
    delimiter = definition.read.delimiter or sniff_delimiter(text)
    if _fields_in_first_line(text, delimiter) == 1:
        # The partner changed its delimiter: a header of one field is no header.
        delimiter = sniff_delimiter(text)
    try:
        header, records = _csv_records(text, delimiter)
    except Exception as error:  # csv raises several types for malformed quoting
        if not header_only:
            raise FeedFileError(f"{name}: unreadable CSV ({str(error).splitlines()[0]})") from None
        header, records = _csv_records(text.split("\n", 1)[0], delimiter)
    if header_only:
        records = [(n, f) for n, f in records if n <= definition.read.header_row]
    return _table(table, header, records, definition.read.header_row, name, header_only)


def _sheet_table(
    table: str,
    data: bytes,
    sheet: str | int,
    definition: SourceDefinition,
    name: str,
    header_only: bool = False,
) -> SourceTable:
    try:
        if header_only:
            header, records = _xlsx_head(data, sheet, definition.read.header_row)
        else:
            header, records = _xlsx_records(data, sheet or 0)
    except Exception as error:  # openpyxl and pandas raise many types for a bad workbook
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise FeedFileError(f"{name}: unreadable XLSX workbook ({first})") from None
    return _table(table, header, records, definition.read.header_row, name, header_only)


def _xlsx_head(
    data: bytes, sheet: str | int, header_row: int
) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The first `header_row` rows of a sheet, read without loading the rest."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True)
    try:
        worksheet = book[sheet] if isinstance(sheet, str) and sheet else book.worksheets[0]
        rows = [
            ["" if v is None else str(v) for v in values]
            for values in worksheet.iter_rows(max_row=header_row, values_only=True)
        ]
    finally:
        book.close()
    rows += [[]] * (header_row - len(rows))
    return rows[0], [(n, fields) for n, fields in enumerate(rows[1:], start=2)]


def _sheet_names(data: bytes, name: str) -> list[str]:
    """The workbook's sheet names, read from its index without loading any sheet."""
    from xml.etree import ElementTree

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            index = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError) as error:
        raise FeedFileError(f"{name}: unreadable XLSX workbook ({error})") from None
    return [e.get("name", "") for e in index.iter() if e.tag.endswith("}sheet")]


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
    definition: SourceDefinition,
    name: str,
    header_only: bool = False,
) -> dict[str, SourceTable]:
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
            if archive.getinfo(member).file_size > MAX_ZIP_MEMBER_BYTES:
                raise FeedFileError(f"{name}: {member} is too large to be an extract table")
            where = f"{name}!{member}"
            if header_only:
                with archive.open(member) as handle:
                    text = _head_text(handle.read(HEAD_BYTES))
            else:
                text = decode_csv(archive.read(member), where)
            tables[spec.name] = _text_table(spec.name, text, definition, where, header_only)
    return tables


def _empty(spec: TableSpec) -> SourceTable:
    return SourceTable(spec.name, pd.DataFrame(columns=list(spec.columns), dtype="str"), {})


def _table(
    table: str,
    header: list[str],
    records: list[tuple[int, list[str]]],
    header_row: int,
    name: str,
    header_only: bool = False,
) -> SourceTable:
    if header_row > 1:
        above = [fields for number, fields in records if number == header_row]
        header = above[0] if above else []
        records = [(number, fields) for number, fields in records if number > header_row]
    if header_only:
        records = []
    if not any(cell.strip() for cell in header):
        raise FeedFileError(f"{name}: no column names in row {header_row} (expected a header row)")
    width = len(header)
    ragged = {number: len(fields) for number, fields in records if len(fields) != width}
    frame = pd.DataFrame(
        [(fields + [""] * width)[:width] for _, fields in records],
        index=pd.Index([number for number, _ in records], dtype="int64"),
        columns=[cell.strip() for cell in header],
        dtype="str",
    )
    return SourceTable(table, frame, ragged)


def _fields_in_first_line(text: str, delimiter: str) -> int:
    end = text.find("\n")
    first = text if end < 0 else text[:end]
    return len(next(csv.reader([first], delimiter=delimiter), []))


def sniff_delimiter(text: str) -> str:
    """The delimiter of the header line: whichever of , tab | ; splits it most."""
    counts = {d: _fields_in_first_line(text, d) for d in SNIFFED}
    best = max(SNIFFED, key=lambda d: (counts[d], -SNIFFED.index(d)))
    return best if counts[best] > 1 else ","


# ---------------------------------------------------------------- several tables, one query


def query_tables(
    definition: SourceDefinition,
    mapping: FeedMapping,
    tables: dict[str, SourceTable],
    name: str,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run a feed's SQL over the tables: (rows, origin of each row: `_table`, `_line`).

    Rows come back in a fixed order (table as listed, then line) so batch row numbers are
    repeatable. A line that did not have one field per column is left out of the tables
    the query reads; a row the query returns for such a line is refused by the caller.
    """
    con = duckdb.connect()
    try:
        for table in tables.values():
            con.register(table.name, _with_lines(table))
        try:
            if definition.prepare:
                con.execute(definition.prepare)
            result = con.execute(mapping.sql).df()
        except duckdb.Error as error:
            first = str(error).splitlines()[0]
            raise FeedFileError(
                f"{name}: source query for {mapping.feed} failed ({first})"
            ) from None
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


def _with_lines(table: SourceTable) -> pd.DataFrame:
    """A line without one field per column is read as blanks: a row built from it is
    refused whole, and rows that join to it find nothing (docs/sources.md)."""
    frame = table.frame.loc[:, ~table.frame.columns.duplicated()].copy()
    if table.ragged:
        frame.loc[list(table.ragged), :] = ""
    return frame.assign(_line=frame.index.to_numpy(dtype="int64"))


def check_sql(definition: SourceDefinition, mapping: FeedMapping) -> str:
    """Run a feed's query on empty tables of the declared columns; '' if it works."""
    empty = {
        t.name: SourceTable(t.name, pd.DataFrame(columns=list(t.columns), dtype="str"), {})
        for t in definition.tables
    }
    try:
        rows, _ = query_tables(definition, mapping, empty, "its query")
    except FeedFileError as error:
        return str(error).replace("its query: ", "")
    except KeyError as error:
        return f"the query must return {', '.join(TABLE_ORIGIN)} (missing {error})"
    return ""

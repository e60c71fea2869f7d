"""Reading a partner file into a table of text: CSV decoding, XLSX sheets, row numbers.

A reader only turns bytes into rows of text with their spreadsheet row numbers; whether
the rows fit a feed is for the loading step (`batch_load.py`) and the contracts. Anything
that stops a whole file is a `FeedFileError` whose message is one line naming the file.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

SUPPORTED_SUFFIXES = (".csv", ".xlsx")


class FeedFileError(ValueError):
    """A whole file cannot be loaded; the message is one line naming the file and the fix."""


def decode_csv(data: bytes, file_name: str) -> str:
    """UTF-8 (with or without BOM) first, then Windows-1252, as SPEC section 1 allows.

    A NUL byte means UTF-16 or a binary file (a workbook renamed .csv): Windows-1252 would
    decode it into nonsense, so it is refused here instead of failing later on columns.
    """
    if b"\x00" in data:
        raise FeedFileError(f"{file_name}: unknown text encoding (expected UTF-8 or Windows-1252)")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FeedFileError(f"{file_name}: unknown text encoding (expected UTF-8 or Windows-1252)")


@dataclass(frozen=True)
class FeedTable:
    """A file's rows as text, indexed by spreadsheet row number (the header is row 1).

    `ragged` maps a row number to how many fields that row had when it did not have one
    per header column: such a row cannot be read column by column, so it is quarantined
    whole while the rest of the file loads.
    """

    frame: pd.DataFrame
    ragged: dict[int, int]


def read_feed_table(path: Path) -> FeedTable:
    """Read one file as text with lower-case column names; refuse what is not a table."""
    name = str(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise FeedFileError(f"{name}: not a CSV or XLSX file (expected .csv or .xlsx)")
    data = path.read_bytes()
    if not data.strip():
        raise FeedFileError(f"{name}: empty file (expected a header row and data rows)")
    try:
        if suffix == ".csv":
            header, records = _csv_records(decode_csv(data, name))
        else:
            header, records = _xlsx_records(data)
    except FeedFileError:
        raise
    except Exception as error:  # the readers raise many types for a malformed table
        kind = "CSV" if suffix == ".csv" else "XLSX workbook"
        first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise FeedFileError(f"{name}: unreadable {kind} ({first_line})") from None
    if not header:
        raise FeedFileError(f"{name}: empty file (expected a header row and data rows)")
    if not any(cell.strip() for cell in header):
        raise FeedFileError(f"{name}: no column names in row 1 (expected a header row)")
    width = len(header)
    ragged = {number: len(fields) for number, fields in records if len(fields) != width}
    rows = [
        (number, fields if len(fields) == width else (fields + [""] * width)[:width])
        for number, fields in records
    ]
    frame = pd.DataFrame(
        [fields for _, fields in rows],
        index=pd.Index([number for number, _ in rows], dtype="int64"),
        columns=[cell.strip().lower() for cell in header],
        dtype="str",
    )
    return FeedTable(frame, ragged)


def _csv_records(text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and (row number, fields) for every record that holds any value."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] = []
    records = []
    try:
        for number, fields in enumerate(reader, start=1):
            if number == 1:
                header = fields
            elif any(field.strip() for field in fields):
                records.append((number, fields))
    except csv.Error as error:
        raise ValueError(f"{error} at line {reader.line_num}") from None
    return header, records


def _xlsx_records(data: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The first sheet, cells as text (an Excel date cell as ISO, midnight dropped)."""
    sheet = pd.read_excel(io.BytesIO(data), sheet_name=0, header=None, dtype=str, engine="openpyxl")
    sheet = sheet.fillna("")
    if sheet.empty:
        return [], []
    header = [str(cell) for cell in sheet.iloc[0]]
    records = []
    for offset, values in enumerate(sheet.iloc[1:].itertuples(index=False), start=2):
        fields = [str(value) for value in values]
        if any(field.strip() for field in fields):
            records.append((offset, fields))
    return header, records


def read_feed_file(path: Path) -> pd.DataFrame:
    """The readable rows of one file (see `read_feed_table`)."""
    return read_feed_table(path).frame

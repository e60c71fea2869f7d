"""Read a workbook back the three ways its users' tools do, and check they agree.

openpyxl's read-only mode trusts each sheet's declared range (`<dimension>`); its full mode
and pandas (which resets the range itself) do not. A sheet whose declared range is wrong
reads as empty or cut short in read-only mode only, so the three are compared cell by cell.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime

import openpyxl
import pandas as pd

Grid = list[list[object]]


def _normal(value: object) -> object:
    if value is None:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, float) and value != value:
        return None
    if hasattr(value, "item") and not isinstance(value, datetime):
        return value.item()
    return value


def _trimmed(grid: Grid) -> Grid:
    return [[_normal(value) for value in row] for row in grid]


def read_full(data: bytes) -> dict[str, Grid]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return {
        sheet.title: _trimmed([list(row) for row in sheet.iter_rows(values_only=True)])
        for sheet in book.worksheets
    }


def read_only(data: bytes) -> dict[str, Grid]:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    grids = {
        sheet.title: _trimmed([list(row) for row in sheet.iter_rows(values_only=True)])
        for sheet in book.worksheets
    }
    book.close()
    return grids


def read_pandas(data: bytes) -> dict[str, Grid]:
    # Text such as "NA" or "nan" stays text (pandas would read it as missing by default);
    # the writer never writes an empty text cell, so "" here is an empty cell.
    frames = pd.read_excel(
        io.BytesIO(data), sheet_name=None, header=None, dtype=object, keep_default_na=False
    )
    return {
        name: _trimmed([[None if v == "" else v for v in row] for row in frame.values.tolist()])
        for name, frame in frames.items()
    }


def declared_ranges(data: bytes) -> list[str]:
    """Each sheet's `<dimension ref>` in the file, in sheet order."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = sorted(
            (n for n in archive.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)),
            key=lambda n: int(re.findall(r"\d+", n)[0]),
        )
        return [
            re.search(rb'<dimension ref="([^"]*)"', archive.read(n)).group(1).decode()  # type: ignore[union-attr]
            for n in names
        ]


def assert_reads_back_identically(data: bytes) -> dict[str, Grid]:
    """Every sheet, every cell: openpyxl read-only == openpyxl full == pandas; returns it."""
    full, quick, frames = read_full(data), read_only(data), read_pandas(data)
    assert list(full) == list(quick) == list(frames)
    book = openpyxl.load_workbook(io.BytesIO(data))
    for (name, grid), declared in zip(full.items(), declared_ranges(data), strict=True):
        assert declared == book[name].dimensions, (name, declared)
        assert quick[name] == grid, f"{name}: openpyxl read-only differs from full"
        assert frames[name] == grid, f"{name}: pandas differs from openpyxl"
    return full

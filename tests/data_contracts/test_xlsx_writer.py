"""The shared xlsx writer: what it writes reads back the same in every reader, as typed."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

import numpy as np
import openpyxl
import pandas as pd
import pytest

from data_contracts.xlsx_writer import MAX_CELL_TEXT, MAX_WIDTH, render_sheets
from tests.data_contracts.xlsx_readback import assert_reads_back_identically, declared_ranges

MOMENT = datetime(2025, 9, 30)
HOSTILE = ["=1+1", "+44", "-3", "@SUM(A1)", "\tx", '=HYPERLINK("http://x","y")']


def _every_kind() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "text": ["plain", " padded ", "a&<b>\"'", "Zoë O'Connor", "bell\x07", None, ""],
            "hostile": [*HOSTILE[:5], "ok", None],
            "number": [1, 2.5, 1e20, -0.1, 0, 3.0, None],
            "count": pd.array([1, 2, None, 4, 5, 6, 7], dtype="Int64"),
            "when": [date(2025, 9, 30)] * 6 + [None],
            "moment": pd.to_datetime(["2025-09-30 12:30:00"] * 6 + [None]),
            "day": pd.to_datetime(["2025-04-01", None, "2026-03-31", None, None, None, None]),
            "flag": [True, False, True, False, True, False, True],
            "list": [["a", "b"], [], ["c"], ["d"], ["e"], ["f"], ["g"]],
            "typed text": pd.array(["x", None, "=bad", "y", "z", "w", "v"], dtype="str"),
        }
    )


def test_every_kind_of_value_reads_back_as_written_in_every_reader() -> None:
    data = render_sheets([("Only", _every_kind())], MOMENT)
    grid = assert_reads_back_identically(data)["Only"]
    header, rows = grid[0], grid[1:]
    assert header == list(_every_kind().columns)
    column = {name: [row[index] for row in rows] for index, name in enumerate(header)}
    assert column["text"] == ["plain", " padded ", "a&<b>\"'", "Zoë O'Connor", "bell", None, None]
    assert column["hostile"] == [*HOSTILE[:5], "ok", None]
    assert column["number"] == [1, 2.5, 1e20, -0.1, 0, 3, None]
    assert column["count"] == [1, 2, None, 4, 5, 6, 7]
    assert column["when"] == [datetime(2025, 9, 30)] * 6 + [None]
    assert column["moment"] == [datetime(2025, 9, 30, 12, 30)] * 6 + [None]
    assert column["day"] == [
        datetime(2025, 4, 1),
        None,
        datetime(2026, 3, 31),
        None,
        None,
        None,
        None,
    ]
    assert column["flag"] == ["yes", "no", "yes", "no", "yes", "no", "yes"]
    assert column["list"] == ["a; b", None, "c", "d", "e", "f", "g"]
    assert column["typed text"] == ["x", None, "=bad", "y", "z", "w", "v"]


def test_dates_are_real_dates_with_a_date_format_and_numbers_are_numbers() -> None:
    data = render_sheets([("Only", _every_kind())], MOMENT)
    sheet = openpyxl.load_workbook(io.BytesIO(data))["Only"]
    header = [cell.value for cell in sheet[1]]
    cell = {name: sheet.cell(row=2, column=index + 1) for index, name in enumerate(header)}
    assert cell["when"].is_date and cell["when"].number_format == "yyyy-mm-dd"
    assert cell["day"].is_date and cell["day"].number_format == "yyyy-mm-dd"
    assert cell["moment"].is_date and cell["moment"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert cell["number"].data_type == "n" and cell["count"].data_type == "n"
    frame = pd.read_excel(io.BytesIO(data), sheet_name="Only")
    assert pd.api.types.is_datetime64_any_dtype(frame["day"])
    assert pd.api.types.is_numeric_dtype(frame["number"])


def test_formula_text_stays_text_in_every_reader_and_no_formula_is_written() -> None:
    frame = pd.DataFrame({HOSTILE[0]: HOSTILE, "typed": pd.array(HOSTILE, dtype="str")})
    data = render_sheets([("Hostile", frame)], MOMENT)
    grid = assert_reads_back_identically(data)["Hostile"]
    assert grid == [[HOSTILE[0], "typed"], *[[text, text] for text in HOSTILE]]
    sheet = openpyxl.load_workbook(io.BytesIO(data))["Hostile"]
    cells = [sheet["A1"], *(cell for row in sheet.iter_rows(min_row=2) for cell in row)]
    for cell in cells:
        assert cell.data_type == "s" and cell.quotePrefix, cell.coordinate
    assert not sheet["B1"].quotePrefix
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")


def test_layout_bold_frozen_header_filter_fitted_widths_and_wrapped_long_text() -> None:
    long = "gate 4: outcome not met for SAF3 (person P1) | " * 4
    frame = pd.DataFrame(
        {"family_id": ["F1", "F2", "F3"], "reasons": [long, "short", None], "n": [1, 22, 333]}
    )
    data = render_sheets([("Not claimed", frame), ("Empty", frame.iloc[:0])], MOMENT)
    assert declared_ranges(data) == ["A1:C4", "A1:C1"]
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book["Not claimed"]
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:C4"
    widths = {letter: sheet.column_dimensions[letter].width for letter in "ABC"}
    assert widths["B"] == MAX_WIDTH  # longer than the cap: capped, and wraps
    assert len("family_id") < widths["A"] < 20 and widths["C"] < 20
    assert sheet["B2"].alignment.wrap_text and sheet["B3"].alignment.wrap_text
    assert not sheet["A2"].alignment.wrap_text
    assert sheet["A2"].alignment.vertical == "top"
    assert book["Empty"].auto_filter.ref == "A1:C1"
    assert_reads_back_identically(data)


def test_same_content_same_bytes_and_the_moment_is_the_only_clock() -> None:
    frame = _every_kind()
    first = render_sheets([("Only", frame)], MOMENT)
    assert render_sheets([("Only", frame.copy())], MOMENT) == first
    assert render_sheets([("Only", frame)], datetime(2026, 1, 1)) != first


def test_text_over_excels_cell_limit_is_cut_with_a_note_and_old_dates_stay_readable() -> None:
    frame = pd.DataFrame(
        {
            "rows": pd.array(["x" * (MAX_CELL_TEXT + 10), "y"], dtype="str"),
            "old": [date(1899, 1, 1), date(1900, 1, 2)],
            "nan": [np.nan, float("inf")],
        }
    )
    grid = assert_reads_back_identically(render_sheets([("Only", frame)], MOMENT))["Only"]
    assert len(grid[1][0]) == MAX_CELL_TEXT and grid[1][0].endswith("characters in all]")
    assert grid[1][1] == "1899-01-01"  # before Excel's first date: kept as text
    assert grid[2][1] == datetime(1900, 1, 2)
    assert grid[1][2] is None and grid[2][2] == "inf"


def test_too_many_rows_for_a_sheet_is_a_clear_error() -> None:
    frame = pd.DataFrame({"a": np.zeros(1_048_576, dtype=np.int8)})
    with pytest.raises(ValueError, match="do not fit in one sheet"):
        render_sheets([("Big", frame)], MOMENT)


def test_characters_xml_cannot_carry_are_dropped_and_carriage_returns_kept() -> None:
    """U+FFFF or a lone surrogate from a partner's file would make the file unreadable."""
    values = ["a\rb", "\rx", "ok\uffffz", "c\r\nd", "=\r1", "no\ufffe", "x\r"]
    frame = pd.DataFrame(
        {
            "typed": pd.array(values, dtype="str"),
            "mixed": pd.Series(values, dtype=object),
            "surrogate": pd.Series(["bad\ud800x", *values[1:]], dtype=object),
            "nothing left": pd.Series(["\x07", "\uffff", ["\x01"], *values[3:]], dtype=object),
        }
    )
    grid = assert_reads_back_identically(render_sheets([("Only", frame)], MOMENT))["Only"]
    kept = ["a\rb", "\rx", "okz", "c\r\nd", "=\r1", "no", "x\r"]
    assert [row[0] for row in grid[1:]] == [row[1] for row in grid[1:]] == kept
    assert grid[1][2] == "badx"
    assert [row[3] for row in grid[1:4]] == [None, None, None]

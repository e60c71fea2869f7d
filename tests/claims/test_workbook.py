"""The claim workbook: layout other tools read, same bytes twice, hostile text inert."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd

from claims.submission import financial_quarter, run_claim
from claims.workbook import ClaimWorkbook, render
from data_contracts.xlsx_writer import render_sheets
from indicators.plan import load_plan
from tests.conftest import LoadedSample


def test_workbook_layout_and_families_match_decisions(
    loaded_sample: LoadedSample, sample_con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    result = run_claim(sample_con, load_plan(), loaded_sample.as_of, tmp_path / "c.xlsx")
    book = openpyxl.load_workbook(result.workbook)
    assert book.sheetnames == ["Summary", "Families", "Evidence", "Not claimed"]
    families = [[c.value for c in row] for row in book["Families"].iter_rows()]
    assert families[0][:2] == ["family_id", "case_id"]
    assert {"headline_outcomes", "needs", "reclaim"} <= set(families[0])
    assert len(families) - 1 == result.claimed
    reclaim = families[0].index("reclaim")
    assert {row[reclaim] for row in families[1:]} == {"no"}
    not_claimed = [[c.value for c in row] for row in book["Not claimed"].iter_rows()]
    assert not_claimed[0][:2] == ["family_id", "case_id"] and "reasons" in not_claimed[0]
    assert len(not_claimed) - 1 == result.cases - result.claimed
    summary = {row[0].value: row[1].value for row in book["Summary"].iter_rows(min_row=2)}
    assert summary["families claimed"] == result.claimed
    assert summary["as-of date"] == "2025-09-30"
    assert summary["period"] == "2025-26 Q2"
    assert summary["input fingerprint"] == result.input_fingerprint


def test_same_inputs_give_the_same_bytes(
    loaded_sample: LoadedSample, sample_con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    first = run_claim(sample_con, load_plan(), loaded_sample.as_of, tmp_path / "a.xlsx")
    second = run_claim(sample_con, load_plan(), loaded_sample.as_of, tmp_path / "b.xlsx")
    assert first.workbook.read_bytes() == second.workbook.read_bytes()


def test_no_names_dates_of_birth_or_identifiers_in_the_workbook(
    loaded_sample: LoadedSample, sample_con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    result = run_claim(sample_con, load_plan(), loaded_sample.as_of, tmp_path / "c.xlsx")
    text = " ".join(
        str(cell.value)
        for sheet in openpyxl.load_workbook(result.workbook).worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    )
    with (
        (loaded_sample.folder / "inbox" / "eh_members")
        .glob("*.csv")
        .__next__()
        .open(newline="", encoding="utf-8") as handle
    ):
        members = list(csv.DictReader(handle))
    for member in members:
        for column in ("surname", "dob", "upn", "nino", "nhs_number"):
            value = member[column]
            if value:
                assert value not in text, column


def test_hostile_text_is_written_as_text_not_formula() -> None:
    hostile = ['=HYPERLINK("http://x","y")', "+1+1", "-2", "@SUM(A1)", "\tx", "ok\x07"]
    frame = pd.DataFrame({"family_id": ["F1"] * len(hostile), "reasons": hostile})
    content = ClaimWorkbook(
        [("council", "=cmd")], frame, frame, frame, pd.Timestamp("2025-09-30").date()
    )
    path_bytes = render(content)
    from io import BytesIO

    book = openpyxl.load_workbook(BytesIO(path_bytes))
    cells = [row[1] for row in book["Families"].iter_rows(min_row=2)]
    assert [c.value for c in cells] == [*hostile[:-1], "ok"]
    assert all(c.data_type == "s" for c in cells)
    assert all(c.quotePrefix for c in cells[:5])
    assert book["Summary"]["B2"].data_type == "s"


def test_financial_quarter_labels() -> None:
    from datetime import date

    assert financial_quarter(date(2025, 9, 30)) == "2025-26 Q2"
    assert financial_quarter(date(2026, 3, 31)) == "2025-26 Q4"
    assert financial_quarter(date(2025, 4, 1)) == "2025-26 Q1"


def test_every_kind_of_value_reads_back_as_written(tmp_path: Path) -> None:
    """Data rows are placed in the sheet XML directly: openpyxl must read each back."""
    from datetime import date as day
    from datetime import datetime


    frame = pd.DataFrame(
        {
            "text": ["plain", " padded ", "a&<b>\"'", "Zoë O'Connor", "bell\x07", None, ""],
            "hostile": ["=1+1", "+44", "-3", "@SUM(A1)", "\tx", "ok", None],
            "number": [1, 2.5, 1e20, -0.1, 0, 3.0, None],
            "when": [day(2025, 9, 30)] * 7,
            "flag": [True, False, True, False, True, False, True],
            "list": [["a", "b"], [], ["c"], ["d"], ["e"], ["f"], ["g"]],
        }
    )
    data = render_sheets([("Only", frame)], datetime(2025, 9, 30))
    path = tmp_path / "values.xlsx"
    path.write_bytes(data)
    sheet = openpyxl.load_workbook(path)["Only"]
    assert (sheet.max_row, sheet.max_column) == (8, 6)
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2, max_col=6)]
    assert [r[0] for r in rows] == ["plain", " padded ", "a&<b>\"'", "Zoë O'Connor", "bell"] + [
        None,
        None,
    ]
    assert [r[1] for r in rows] == ["=1+1", "+44", "-3", "@SUM(A1)", "\tx", "ok", None]
    hostile = list(sheet.iter_rows(min_row=2, min_col=2, max_col=2))
    assert [c[0].quotePrefix for c in hostile[:5]] == [True] * 5
    assert all(c[0].data_type == "s" for c in hostile[:5])
    assert not hostile[5][0].quotePrefix
    assert [r[2] for r in rows] == [1, 2.5, 1e20, -0.1, 0, 3, None]
    assert {r[3] for r in rows} == {"2025-09-30"}
    assert [r[4] for r in rows] == ["yes", "no", "yes", "no", "yes", "no", "yes"]
    assert [r[5] for r in rows] == ["a; b", None, "c", "d", "e", "f", "g"]
    assert sheet.freeze_panes == "A2"

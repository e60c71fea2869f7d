"""The clerical review workbook reads back the same in every reader a reviewer's tools use."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import openpyxl

from matching.link import link_warehouse_run
from tests.data_contracts.xlsx_readback import assert_reads_back_identically
from tests.matching.test_stable_ids import BILL, WILLIAM


def test_review_workbook_reads_back_identically_with_a_filter_and_typed_values(
    person_warehouse: Callable[..., duckdb.DuckDBPyConnection], tmp_path: Path
) -> None:
    con = person_warehouse({"attendance": [{**WILLIAM, "upn": "A100"}], "police": [BILL]})
    assert link_warehouse_run(con, 0.95, outputs=tmp_path / "out").review_pairs == 1
    data = (tmp_path / "out" / "review-run-1.xlsx").read_bytes()
    sheets = assert_reads_back_identically(data)
    assert list(sheets) == ["How to review", "Pairs"]
    header, pair = sheets["Pairs"]
    row = dict(zip(header, pair, strict=True))
    assert isinstance(row["match_probability"], float) and 0.5 <= row["match_probability"] < 0.95
    assert row["birth_year_l"] == 2012 and row["decision"] is None
    book = openpyxl.load_workbook(tmp_path / "out" / "review-run-1.xlsx")
    pairs = book["Pairs"]
    assert (
        pairs.auto_filter.ref
        == pairs.dimensions
        == f"A1:{pairs.cell(1, len(header)).column_letter}2"
    )
    assert pairs.freeze_panes == "A2" and all(cell.font.b for cell in pairs[1])

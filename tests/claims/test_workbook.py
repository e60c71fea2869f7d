"""The claim workbook: layout other tools read, same bytes twice, hostile text inert."""

from __future__ import annotations

import csv
from datetime import date, datetime
from io import BytesIO
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest
import yaml

from claims.periods import financial_quarter, quarter_bounds
from claims.submission import run_claim
from claims.workbook import ClaimWorkbook, render
from indicators.plan import PlanError, load_plan
from tests.conftest import LoadedSample
from tests.data_contracts.xlsx_readback import assert_reads_back_identically


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
    assert summary["council"] == "Sample council" and summary["council code"] == "E99999999"
    assert summary["as-of date"] == datetime(2025, 9, 30)
    assert summary["period"] == "2025-26 Q2"
    assert (summary["period start"], summary["period end"]) == (
        datetime(2025, 7, 1),
        datetime(2025, 9, 30),
    )
    assert summary["cases decided"] == result.cases
    assert summary["cases not claimed"] == result.cases - result.claimed
    assert summary["families claimed in 2025-26 including this period"] == result.claimed
    assert summary["input fingerprint"] == result.input_fingerprint
    assert "rate per family (£)" not in summary  # the national plan sets no rate


def test_every_sheet_reads_back_identically_and_dates_are_dates(
    loaded_sample: LoadedSample, sample_con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    result = run_claim(sample_con, load_plan(), loaded_sample.as_of, tmp_path / "c.xlsx")
    sheets = assert_reads_back_identically(result.workbook.read_bytes())
    decisions = sample_con.execute("select * from claim_decision").df()
    assert len(sheets["Families"]) - 1 == int(decisions["claimed"].sum())
    assert len(sheets["Not claimed"]) - 1 == int((~decisions["claimed"]).sum())
    evidence_rows = sample_con.execute("select count(*) from family_need_outcome").fetchone()
    assert evidence_rows is not None and len(sheets["Evidence"]) - 1 == evidence_rows[0]

    def column(sheet: str, name: str) -> list[object]:
        header, *rows = sheets[sheet]
        return [row[header.index(name)] for row in rows]

    passes = [v for v in column("Not claimed", "earliest_pass_date") if v is not None]
    expected = decisions["earliest_pass_date"].dropna().sort_values()
    assert passes and sorted(passes) == [d.to_pydatetime() for d in expected]
    identified = column("Evidence", "identified_date")
    assert identified and all(isinstance(v, datetime) for v in identified)
    assert all(isinstance(v, int) for v in column("Families", "headline_count"))
    book = openpyxl.load_workbook(result.workbook)
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == sheet.dimensions
        assert all(cell.font.b for cell in sheet[1])
    reasons = next(c for c in book["Not claimed"][1] if c.value == "reasons").column_letter
    assert book["Not claimed"][f"{reasons}2"].alignment.wrap_text  # reasons run long


def _plan_file(folder: Path, **settings: object) -> Path:
    path = folder / "council-plan.yaml"
    path.write_text(yaml.safe_dump({"extends": "national", **settings}), encoding="utf-8")
    return path


def test_summary_gives_the_amount_and_progress_against_the_allocation(
    loaded_sample: LoadedSample, sample_con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    plan = load_plan(
        _plan_file(
            tmp_path,
            council={"name": "Example Borough", "code": "E09000099"},
            rate_per_family=4000,
            allocation={"2025-26": 50},
        )
    )
    result = run_claim(sample_con, plan, loaded_sample.as_of, tmp_path / "c.xlsx")
    assert result.claimed > 0
    rows = list(openpyxl.load_workbook(result.workbook)["Summary"].iter_rows(values_only=True))
    summary = dict(rows[1:])
    assert (summary["council"], summary["council code"]) == ("Example Borough", "E09000099")
    assert summary["rate per family (£)"] == 4000
    assert summary["amount claimed this period (£)"] == 4000 * result.claimed
    assert summary["amount claimed in 2025-26 including this period (£)"] == 4000 * result.claimed
    assert summary["yearly allocation 2025-26"] == 50
    assert summary["allocation remaining 2025-26"] == 50 - result.claimed
    share = summary["share of the 2025-26 allocation claimed (%)"]
    assert share == round(100 * result.claimed / 50, 1)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"rate_per_family": "4000"}, "rate_per_family must be a number of pounds"),
        ({"rate_per_family": -1}, "rate_per_family must be a number of pounds"),
        ({"council": {"name": "X", "code": 6}}, "council.code must be text"),
        ({"council": {"name": "X", "region": "Y"}}, "council must be a mapping of name and code"),
    ],
)
def test_claim_settings_in_the_plan_are_checked(
    tmp_path: Path, settings: dict[str, object], message: str
) -> None:
    with pytest.raises(PlanError, match=message):
        load_plan(_plan_file(tmp_path, **settings))
    assert load_plan(_plan_file(tmp_path, council="Only A Name")).council == ("Only A Name", "")


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
    sheets = assert_reads_back_identically(result.workbook.read_bytes())
    text = " ".join(
        value.isoformat() if isinstance(value, datetime) else str(value)
        for grid in sheets.values()
        for row in grid
        for value in row
        if value is not None
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
    sheets = assert_reads_back_identically(path_bytes)
    assert [row[1] for row in sheets["Families"][1:]] == [*hostile[:-1], "ok"]
    book = openpyxl.load_workbook(BytesIO(path_bytes))
    cells = [row[1] for row in book["Families"].iter_rows(min_row=2)]
    assert [c.value for c in cells] == [*hostile[:-1], "ok"]
    assert all(c.data_type == "s" for c in cells)
    assert all(c.quotePrefix for c in cells[:5])
    assert book["Summary"]["B2"].data_type == "s"


def test_financial_quarter_labels_and_bounds() -> None:
    assert financial_quarter(date(2025, 9, 30)) == "2025-26 Q2"
    assert financial_quarter(date(2026, 3, 31)) == "2025-26 Q4"
    assert financial_quarter(date(2025, 4, 1)) == "2025-26 Q1"
    assert quarter_bounds(date(2025, 9, 30)) == (date(2025, 7, 1), date(2025, 9, 30))
    assert quarter_bounds(date(2025, 11, 5)) == (date(2025, 10, 1), date(2025, 12, 31))
    assert quarter_bounds(date(2026, 2, 28)) == (date(2026, 1, 1), date(2026, 3, 31))
    assert quarter_bounds(date(2025, 4, 1)) == (date(2025, 4, 1), date(2025, 6, 30))

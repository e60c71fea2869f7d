"""The claim workbook: layout other tools read, same bytes twice, hostile text inert."""

from __future__ import annotations

import csv
import hashlib
import os
import shutil
import subprocess
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
from claims.workbook import ClaimWorkbook, Pounds, Share, gate_numbers, render
from data_contracts.xlsx_writer import MONEY_FORMAT
from indicators.plan import PlanError, load_plan
from tests.conftest import LoadedSample
from tests.data_contracts.xlsx_readback import assert_reads_back_identically


def test_workbook_layout_and_families_match_decisions(
    loaded_sample: LoadedSample, sample_con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    result = run_claim(sample_con, load_plan(), loaded_sample.as_of, tmp_path / "c.xlsx")
    book = openpyxl.load_workbook(result.workbook)
    assert book.sheetnames == ["Summary", "Families", "Evidence", "Not claimed", "Sources"]
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
        filtered = None if sheet.title == "Summary" else sheet.dimensions
        assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == filtered
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
    share = summary["share of the 2025-26 allocation claimed"]
    assert share == round(result.claimed / 50, 4)


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


def test_finance_formats_headings_and_print_setup_read_back(
    loaded_sample: LoadedSample, sample_con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    plan = load_plan(_plan_file(tmp_path, rate_per_family=4000, allocation={"2025-26": 1600}))
    result = run_claim(sample_con, plan, loaded_sample.as_of, tmp_path / "c.xlsx")
    book = openpyxl.load_workbook(result.workbook)
    summary = {row[0].value: row[1] for row in book["Summary"].iter_rows(min_row=2)}
    assert summary["rate per family (£)"].value == 4000
    assert summary["rate per family (£)"].number_format == MONEY_FORMAT == '"£"#,##0.00'
    assert summary["amount claimed this period (£)"].number_format == MONEY_FORMAT
    share = summary["share of the 2025-26 allocation claimed"]
    assert (share.value, share.number_format) == (round(result.claimed / 1600, 4), "0.0%")
    assert summary["families claimed"].number_format == "#,##0"
    assert summary["as-of date"].value == datetime(2025, 9, 30)
    assert summary["as-of date"].number_format == "dd/mm/yyyy"
    assert summary["council"].data_type == "s"
    labels = [label for label in summary if label.startswith("claimed families with")]
    assert "claimed families with an EDU need (Getting a good education)" in labels
    assert "claimed families with a CRI need (Crime prevention and tackling crime)" in labels
    assert not [label for label in labels if " a E" in label or " a A" in label]

    # Header cells keep the machine names (what tools read) and show the headings.
    families = book["Families"]
    header = {cell.value: cell for cell in families[1]}
    assert list(header)[:2] == ["family_id", "case_id"]
    assert header["family_id"].number_format == ';;;"Family ID"'
    assert header["reclaim"].number_format == ';;;"Re-claim"'
    count = families.cell(row=2, column=list(header).index("headline_count") + 1)
    assert isinstance(count.value, int) and count.number_format == "#,##0"
    evidence = book["Evidence"]
    names = [cell.value for cell in evidence[1]]
    identified = evidence.cell(row=2, column=names.index("identified_date") + 1)
    assert isinstance(identified.value, datetime) and identified.number_format == "dd/mm/yyyy"
    not_claimed = book["Not claimed"]
    names = [cell.value for cell in not_claimed[1]]
    gates = [row[names.index("failed_gates")] for row in not_claimed.iter_rows(min_row=2)]
    decided = sample_con.execute(
        "select failed_gates from claim_decision where not claimed order by family_id, case_id"
    ).fetchall()
    assert [g.value for g in gates] == [int(f) if f.isdigit() else f for (f,) in decided]
    assert any(isinstance(g.value, int) for g in gates)
    assert all(g.data_type == "n" for g in gates if isinstance(g.value, int))

    for sheet in book.worksheets:
        setup = sheet.page_setup
        assert (setup.orientation, setup.fitToWidth, setup.fitToHeight) == ("landscape", 1, 0)
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.print_title_rows == "$1:$1"
    assert book["Summary"].auto_filter.ref is None
    assert book["Families"].auto_filter.ref == book["Families"].dimensions


def test_sources_sheet_names_the_file_behind_every_batch_the_evidence_cites(
    loaded_sample: LoadedSample, sample_con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    result = run_claim(sample_con, load_plan(), loaded_sample.as_of, tmp_path / "c.xlsx")
    sheets = assert_reads_back_identically(result.workbook.read_bytes())
    evidence_header, *evidence = sheets["Evidence"]
    cited = {
        row_id.rpartition(":")[0]
        for row in evidence
        for row_id in str(row[evidence_header.index("source_rows")] or "").split("; ")
        if row_id
    }
    header, *sources = sheets["Sources"]
    batches = [row[header.index("batch_id")] for row in sources]
    assert sorted(batches) == sorted(cited) and len(batches) == len(set(batches))
    loaded = {
        row[0]: row[1:]
        for row in sample_con.execute(
            "select batch_id, rows_staged, rows_quarantined, loaded_at from load_batch"
        ).fetchall()
    }
    for row in sources:
        values = dict(zip(header, row, strict=True))
        path = loaded_sample.folder / "inbox" / str(values["folder"]) / str(values["file_name"])
        assert hashlib.sha256(path.read_bytes()).hexdigest() == values["file_sha256"]
        staged, quarantined, loaded_at = loaded[values["batch_id"]]
        assert (values["rows_staged"], values["rows_quarantined"]) == (staged, quarantined)
        assert abs((values["loaded_at"] - loaded_at).total_seconds()) < 0.01
        assert values["rows_in"] >= values["rows_staged"]


def test_one_failed_gate_is_a_number_several_stay_a_list() -> None:
    assert gate_numbers("7") == 7
    assert gate_numbers("1, 5") == "1, 5"
    assert gate_numbers("") is None and gate_numbers(None) is None


SOFFICE, PDFTOTEXT = shutil.which("soffice"), shutil.which("pdftotext")


@pytest.mark.slow
@pytest.mark.skipif(not (SOFFICE and PDFTOTEXT), reason="LibreOffice or poppler-utils missing")
def test_a_spreadsheet_program_shows_and_prints_the_headings_and_formats(tmp_path: Path) -> None:
    """LibreOffice (headless) prints the workbook to PDF: what a finance officer sees."""
    families = pd.DataFrame(
        {"family_id": ["F1"], "case_id": ["EH1"], "headline_count": [3], "reclaim": ["no"]}
    )
    evidence = pd.DataFrame(
        {"family_id": ["F1"] * 120, "identified_date": [pd.Timestamp("2024-01-22")] * 120}
    )
    summary = [
        ("as-of date", date(2025, 9, 30)),
        ("rate per family (£)", Pounds(4000)),
        ("share of the 2025-26 allocation claimed", Share(0.125)),
        ("families claimed", 1234),
    ]
    not_claimed = pd.DataFrame({"family_id": ["F2"], "case_id": ["EH2"], "failed_gates": ["5"]})
    content = ClaimWorkbook(summary, families, evidence, not_claimed, date(2025, 9, 30))
    book = tmp_path / "claim.xlsx"
    book.write_bytes(render(content))
    subprocess.run(
        [str(SOFFICE), "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(book)],
        check=True, capture_output=True, timeout=180,
        env={**os.environ, "HOME": str(tmp_path)},
    )  # fmt: skip
    pdf = tmp_path / "claim.pdf"
    text = subprocess.run(
        [str(PDFTOTEXT), "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "Family ID" in text and "Number of headline outcomes" in text and "Re-claim" in text
    assert "Gates failed" in text and "Table or sheet in the file" in text
    assert "family_id" not in text and "headline_count" not in text
    assert "£4,000.00" in text and "12.5%" in text and "1,234" in text
    assert "30/09/2025" in text and "22/01/2024" in text
    # Evidence runs over several pages: its heading row is printed on each.
    evidence_pages = [page for page in text.split("\f") if "22/01/2024" in page]
    assert len(evidence_pages) >= 2
    assert all(page.lstrip().startswith("Family ID") for page in evidence_pages)
    assert text.count("Need identified on") == len(evidence_pages)
    info = subprocess.run(
        [str(PDFTOTEXT).replace("pdftotext", "pdfinfo"), str(pdf)],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    assert "841.89 x 595.3" in info  # A4 landscape


@pytest.mark.rule("spec-not-a-member")
def test_a_recorded_need_naming_someone_not_on_the_case_is_a_data_problem_in_the_workbook(
    tmp_path: Path,
) -> None:
    """SPEC section 3: such a need "counts for nothing (it is reported as a data problem)":
    the family is still claimed on its own three needs, and both sheets say which row."""
    from tests.claims.conftest import AS_OF, Case, Person, build_council

    stranger = ("EDU1", "X9", "2023-10-20", "2024-11-30")
    claimed = Case(needs=[*Case().needs, stranger])
    other = Person("P2", "Dana", "Frost", "1985-06-07", postcode="MK3 3CC")
    refused = Case(
        "EH2", "FAM2", members=[(other, "parent_carer")],
        needs=[("MPH2", "P2", "2023-10-20", "2024-11-30"), stranger],
    )  # fmt: skip
    warehouse = build_council(tmp_path, [claimed, refused])
    with duckdb.connect(str(warehouse)) as con:
        result = run_claim(con, load_plan(), AS_OF, tmp_path / "c.xlsx")
    book = openpyxl.load_workbook(result.workbook)
    for sheet, case in (("Families", "EH1"), ("Not claimed", "EH2")):
        rows = [[c.value for c in row] for row in book[sheet].iter_rows()]
        header = rows[0]
        [row] = [r for r in rows[1:] if r[header.index("case_id")] == case]
        problem = row[header.index("data_problems")]
        assert "a recorded need of EDU1" in problem and "not a member of the case" in problem
    families = [[c.value for c in row] for row in book["Families"].iter_rows()]
    assert all("EDU" not in str(r[families[0].index("needs")]) for r in families[1:])

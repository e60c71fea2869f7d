"""A partner's file in a source folder meets the same hostile-input rules as a SPEC file,
and `ingest_inbox` reports each file to `on_report` once, as soon as it is final.

Real files in a real inbox, loaded into a real warehouse; what is staged, quarantined and
refused is read back from it.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

import data_contracts.source_ingest as source_ingest
from data_contracts.batch_load import BatchReport
from data_contracts.feed_reader import NUL_REASON
from data_contracts.ingest import ingest_inbox, plan_inbox
from data_contracts.source_catalogue import load_catalogue
from data_contracts.warehouse import connect, scalar
from tests.conftest import write_csv
from tests.data_contracts.test_ingest import POLICE, police_row
from tests.data_contracts.test_source_ingest import MIS_HEADER, MIS_ROWS

RUN_AT = datetime(2026, 1, 5, 2, 30)
SECRET = "9434765919"
"""An NHS-number-shaped value an exception message quotes; it must never be shown."""
BAD_BYTES = "text not valid in the file's character set (see the batch's read_as)"


def _mis_csv(path: Path, rows: list[list[str]]) -> Path:
    """The MIS attendance extract (shipped `school_attendance` definition) as UTF-8 bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [",".join(MIS_HEADER), *(",".join(row) for row in rows)]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))
    return path


def test_a_partner_file_keeps_its_good_rows_around_bad_bytes_and_a_nul(tmp_path: Path) -> None:
    """A UTF-8 file with one row saved in Windows-1252 and one row holding a NUL: each of
    those rows is quarantined with the reader's reason alone, the rest are mapped."""
    rows = [list(row) for row in MIS_ROWS[:3]]
    rows[0][2] = "Zoë"
    path = _mis_csv(tmp_path / "inbox" / "school_attendance" / "2024-25.csv", rows)
    data = path.read_bytes()
    path.write_bytes(data.replace(b"Jones", "Jonés".encode("cp1252")).replace(b"Khan", b"Kh\0an"))
    with connect(tmp_path / "w.duckdb") as con:
        [report] = ingest_inbox(con, tmp_path / "inbox", RUN_AT)
        lines = con.execute(
            "select row_number, reason from quarantine_row order by row_number"
        ).fetchall()
        staged = con.execute("select forename from stg_attendance").fetchall()
        read_as = scalar(con, "select read_as from load_batch")
        failed = con.execute(
            "select check_label from validation_result where not success order by 1"
        ).fetchall()
    assert (report.rows_in, report.rows_staged, report.rows_quarantined) == (3, 1, 2)
    assert staged == [("Zoë",)]
    assert lines == [(3, BAD_BYTES), (4, NUL_REASON)]
    assert "1 bytes not: their rows quarantined" in str(read_as)
    assert str(read_as).startswith("source school_attendance (")
    assert any("readable in source school_attendance" in str(name) for (name,) in failed)


def test_a_partner_workbook_skips_its_hidden_first_sheet(tmp_path: Path) -> None:
    council = tmp_path / "council"
    council.mkdir()
    (council / "neet_tracker.yaml").write_text(
        "name: neet_tracker\nfolder: ccis\nfeeds:\n  neet:\n    columns:\n"
        "      source_person_id: [CCIS ID]\n      dob: [Birth date]\n"
        "      month: [Period]\n      status: [Activity]\n"
    )
    book = openpyxl.Workbook()
    lookup = book.active
    lookup.title = "Lookup"
    lookup.append(["CCIS ID", "Birth date", "Period", "Activity"])
    lookup.append(["X9", "2001-01-01", "2025-07", "neet"])
    lookup.sheet_state = "hidden"
    sheet = book.create_sheet("Cohort")
    sheet.append(["CCIS ID", "Forename", "Surname", "Birth date", "Period", "Activity", None])
    sheet.append(["Y1", "Ann", "Ash", "2008-01-01", "2025-07", "neet"])
    path = tmp_path / "inbox" / "ccis" / "2025-07.xlsx"
    path.parent.mkdir(parents=True)
    book.save(path)
    with connect(tmp_path / "w.duckdb") as con:
        [report] = ingest_inbox(con, tmp_path / "inbox", RUN_AT, sources=load_catalogue(council))
        staged = con.execute("select source_person_id from stg_neet").fetchall()
    assert (report.rows_in, report.rows_staged) == (1, 1), report.line()
    assert staged == [("Y1",)]
    assert "the first visible sheet; 1 hidden sheet before it skipped" in report.note


def test_an_error_in_the_source_layer_refuses_one_file_naming_no_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever the mapping raises for one partner file refuses that file alone, with a
    line that quotes nothing from the error's values; unchanged, it is not tried again."""
    inbox = tmp_path / "inbox"
    _mis_csv(inbox / "school_attendance" / "a.csv", [MIS_ROWS[0]])
    _mis_csv(inbox / "school_attendance" / "b.csv", [MIS_ROWS[1]])
    write_csv(inbox / "police" / "2024-05.csv", POLICE, [police_row("p1")])
    real = source_ingest.map_feed
    calls: list[str] = []

    def poisoned(rows, mapping, definition, name):  # type: ignore[no-untyped-def]
        calls.append(name)
        if name.endswith("a.csv"):
            raise RuntimeError(f"cannot map {SECRET}")
        return real(rows, mapping, definition, name)

    monkeypatch.setattr(source_ingest, "map_feed", poisoned)
    with connect(tmp_path / "w.duckdb") as con:
        first = {Path(r.file_name).name: r for r in ingest_inbox(con, inbox, RUN_AT)}
        again = {Path(r.file_name).name: r for r in ingest_inbox(con, inbox, RUN_AT)}
        recorded = con.execute("select error, definition_sha256 from load_error").fetchall()
    assert first["a.csv"].status == "refused"
    assert SECRET not in first["a.csv"].line() and SECRET not in str(recorded)
    assert "a.csv" in first["a.csv"].error and "RuntimeError" in first["a.csv"].error
    assert first["b.csv"].rows_staged == 1 and first["2024-05.csv"].rows_staged == 1
    assert sorted(r.status for r in again.values()) == [
        "already loaded",
        "already loaded",
        "still refused",
    ]
    assert len(recorded) == 1 and recorded[0][1]  # refused under its definition's version
    assert sum(name.endswith("a.csv") for name in calls) == 1  # not read again unchanged


def _mixed_inbox(tmp_path: Path) -> Path:
    """A skipped entry, a refused folder, a SPEC file, a partner CSV and a partner
    workbook filling four feeds (three refused for a missing sheet or columns)."""
    inbox = tmp_path / "inbox"
    write_csv(inbox / "police" / "2024-05.csv", POLICE, [police_row("p1")])
    (inbox / "police" / ".DS_Store").write_bytes(b"\0\0")
    write_csv(inbox / "nowhere" / "x.csv", POLICE, [police_row("p2")])
    _mis_csv(inbox / "school_attendance" / "2024-25.csv", MIS_ROWS[:2])
    book = openpyxl.Workbook()
    book.active.title = "Cases"
    book.active.append(["Case Reference", "Family Reference", "Date Opened"])
    book.active.append(["EH1", "F1", "01/02/2025"])
    for title in ("Members", "Needs"):
        book.create_sheet(title).append(["Case Reference"])
    (inbox / "early_help_system").mkdir()
    book.save(inbox / "early_help_system" / "2025-02.xlsx")
    return inbox


def test_on_report_hears_each_file_once_as_soon_as_it_is_final(tmp_path: Path) -> None:
    inbox = _mixed_inbox(tmp_path)
    with connect(tmp_path / "w.duckdb") as con:
        plan = plan_inbox(con, inbox)
        heard: list[tuple[BatchReport, int]] = []

        def on_report(report: BatchReport) -> None:
            batches = scalar(con, "select count(*) from load_batch")
            heard.append((report, int(batches)))  # type: ignore[arg-type]

        reports = ingest_inbox(con, inbox, RUN_AT, on_report=on_report)
        assert len(reports) == len(plan.entries)
        by_entry = {(e.path, e.feed): r for e, r in zip(plan.entries, reports, strict=True)}
        unloaded = [by_entry[e.path, e.feed] for e in plan.unloaded()]
        per_feed = [by_entry[e.path, e.feed] for f in plan.feeds() for e in plan.loading(f)]
        assert [r for r, _ in heard] == unloaded + per_feed
        assert len(heard) == len(reports) == len(plan.entries)
        statuses = sorted(r.status for r in reports)
        assert statuses == ["loaded"] * 3 + ["refused"] * 4 + ["skipped"]
        # A loaded file is heard once its batch is written and before the next is.
        loaded = [count for r, count in heard if r.status == "loaded"]
        assert loaded == [1, 2, 3]

        heard.clear()
        again = ingest_inbox(con, inbox, RUN_AT, on_report=on_report)
        assert sorted(r.status for r, _ in heard) == sorted(r.status for r in again)
        assert sorted(r.status for r in again) == (
            ["already loaded"] * 3 + ["skipped"] + ["still refused"] * 4
        )

"""A nightly run on the sample council with bad rows injected: every batch reconciles,
each injected row is quarantined with its exact reason, and no sample row is lost."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

import pytest

from data_contracts.report_page import write_validation_page
from data_contracts.warehouse import connect, scalar
from indicators.pipeline import NightlyOptions, run_nightly
from indicators.plan import load_plan
from tests.councils import SPEC_SHAPE, council_copy

pytestmark = pytest.mark.slow  # a whole pipeline on a sample council

RUN_AT = datetime(2026, 1, 5, 2, 30)
"""A load time after every date the sample writes (it plants an outcome after its as-of)."""


def _rows(path: Path) -> tuple[list[list[str]], str]:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    return list(csv.reader(io.StringIO(text, newline=""))), encoding


def inject(path: Path, changes: dict[str, str], copy_of: int = 2) -> int:
    """Append a copy of data row `copy_of` with `changes`; return its row number."""
    rows, encoding = _rows(path)
    header = rows[0]
    row = list(rows[copy_of - 1])
    for column, value in changes.items():
        row[header.index(column)] = value
    rows.append(row)
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    path.write_bytes(out.getvalue().encode(encoding))
    return len(rows)


def test_nightly_on_sample_with_injected_bad_rows(tmp_path: Path) -> None:
    council = council_copy(SPEC_SHAPE, tmp_path / "sample")
    inbox = council.inbox
    sample_rows = {path: len(_rows(path)[0]) - 1 for path in sorted(inbox.glob("*/*.csv"))}
    # The sample plants duplicate rows on purpose; the contracts quarantine those repeats.
    # The council's own nightly loaded the untouched sample: its quarantine names them.
    with connect(council.warehouse, read_only=True) as con:
        planted = con.execute(
            "select b.file_name, q.row_number, q.column_name, q.reason from quarantine_row q "
            "join load_batch b using (batch_id)"
        ).fetchall()
    assert planted and all(reason.startswith("same ") for *_, reason in planted)
    police = sorted((inbox / "police").glob("*.csv"))[-1]
    attendance = sorted((inbox / "attendance").glob("*.csv"))[0]
    cases = sorted((inbox / "eh_cases").glob("*.csv"))[0]
    dwp = sorted((inbox / "dwp").glob("*.csv"))[0]
    injected = sorted(
        [
            (
                police.name,
                inject(police, {"event_type": "burglary", "source_person_id": "X1"}),
                "event_type",
                "expected one of: offence, arrest, named_suspect, asb, missing_episode, "
                "da_victim, da_perpetrator, da_child_present, cse_concern, cce_concern",
            ),
            (
                attendance.name,
                inject(attendance, {"sessions_possible": "abc", "upn": "UX1"}),
                "sessions_possible",
                "expected a whole number > 0",
            ),
            (cases.name, inject(cases, {}), "case_id", "same case_id as row 2"),
            (dwp.name, inject(dwp, {"month": "2024-13"}), "month", "expected a month as YYYY-MM"),
        ]
    )
    # a date of birth in the future is also after the event: two lines for one row
    future = inject(police, {"dob": "2999-01-01", "incident_id": "INC-X2"})
    injected += [
        (police.name, future, "dob", "date after the batch's load date"),
        (police.name, future, "dob", "date of birth after event_date"),
    ]
    # Cyrillic in KOI8-R: no plausible reading in any character set a partner file may use.
    (inbox / "police" / "zz-broken.csv").write_bytes(
        "source_person_id\r\nПётр\r\n".encode("koi8-r")
    )

    warehouse = tmp_path / "w.duckdb"
    with connect(warehouse) as con:
        options = NightlyOptions(load_plan(), council.as_of)
        reports = run_nightly(con, warehouse, inbox, options, RUN_AT).batches
        quarantine = con.execute(
            "select b.file_name, q.row_number, q.column_name, q.reason from quarantine_row q "
            "join load_batch b using (batch_id) order by 1, 2"
        ).fetchall()
        ledger = con.execute(
            "select file_name, rows_in, rows_staged, rows_quarantined from load_batch"
        ).fetchall()
        staged = sum(
            int(scalar(con, f"select count(*) from stg_{feed}"))  # type: ignore[arg-type]
            for feed in {p.parent.name for p in sample_rows}
        )
        errors = [e for (e,) in con.execute("select error from load_error").fetchall()]
        cases_derived = scalar(con, "select count(*) from case_current")
        case_ids = scalar(con, "select count(distinct case_id) from stg_eh_cases")

    loaded = [r for r in reports if not r.error]
    assert len(loaded) == len(sample_rows)
    for report in loaded:
        assert report.rows_in == report.rows_staged + report.rows_quarantined
    for _, rows_in, rows_staged, rows_quarantined in ledger:
        assert rows_in == rows_staged + rows_quarantined
    assert sorted(quarantine) == sorted(injected + planted)
    # every row the sample wrote is staged but its planted repeats: nothing else held back
    assert staged == sum(sample_rows.values()) - len(planted)
    assert sum(r.rows_in for r in loaded) == sum(sample_rows.values()) + len(injected) - 1
    assert errors == [
        f"{inbox / 'police' / 'zz-broken.csv'}: unknown text encoding "
        "(expected UTF-8, Windows-1252 or Mac Roman)"
    ]
    assert cases_derived == case_ids > 0

    page = write_validation_page(reports, tmp_path / "reports", RUN_AT)
    html = page.read_text()
    assert page.name == "validation-20260105T023000Z.html"
    assert "burglary" not in html and "2999-01-01" not in html and "X1" not in html
    # offline: nothing fetched from anywhere
    assert "http" not in html and "<script" not in html and "<link" not in html
    assert html.count('class="fail"') >= len(injected)
    assert sum(r.rows_quarantined for r in loaded) == len(injected) - 1 + len(planted)

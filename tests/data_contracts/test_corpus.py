"""The bad-input corpus: each kind of bad input gets its exact reason and loses nothing.

Every case folder under `corpus/` (written by `corpus/build.py`) holds an inbox and the
outcome its contract demands. For each: the quarantine lines are exactly those expected,
each refused file has exactly its one-line error, every batch reconciles (rows in =
staged + quarantined, in `load_batch` as in the report), and every good row is staged.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from data_contracts.ingest import ingest_inbox
from data_contracts.warehouse import connect

CORPUS = Path(__file__).parent / "corpus"
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "expected.json").exists())


def test_corpus_has_at_least_25_kinds_of_bad_input() -> None:
    assert len(CASES) >= 25


def test_corpus_files_are_what_build_writes() -> None:
    """The committed inboxes are `build.py`'s output, so a case reads as its code says
    (workbooks carry their save time, so only their presence is compared)."""
    from tests.data_contracts.corpus.build import cases

    for case in cases():
        folder = CORPUS / str(case["name"])
        for relative, data in dict(case["files"]).items():  # type: ignore[call-overload]
            path = folder / "inbox" / relative
            assert path.suffix == ".xlsx" or path.read_bytes() == data, relative


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_explained_and_nothing_good_is_lost(case: str, tmp_path: Path) -> None:
    folder = CORPUS / case
    expected = json.loads((folder / "expected.json").read_text())
    inbox = folder / "inbox"
    with connect(tmp_path / "w.duckdb") as con:
        reports = ingest_inbox(con, inbox)
        quarantine = con.execute(
            "select b.file_name, q.row_number, q.column_name, q.reason from quarantine_row q "
            "join load_batch b using (batch_id) order by b.load_seq, q.row_number"
        ).fetchall()
        ledger = con.execute(
            "select rows_in, rows_staged, rows_quarantined, "
            "(select count(*) from quarantine_row q where q.batch_id = b.batch_id), "
            "(select count(distinct row_number) from quarantine_row q "
            " where q.batch_id = b.batch_id) from load_batch b"
        ).fetchall()
        staged = {
            feed: sorted(
                str(value)
                for (value,) in con.execute(f"select {spec['key']} from stg_{feed}").fetchall()
            )
            for feed, spec in expected["staged"].items()
        }
        staged_rows = con.execute(
            "select sum(n) from ("
            + " union all ".join(
                f"select count(*) as n from stg_{feed}" for feed in expected["staged"]
            )
            + ")"
        ).fetchall()[0][0]

    assert [[Path(f).name, r, c, why] for f, r, c, why in quarantine] == [
        [Path(f).name, r, c, why] for f, r, c, why in expected["quarantine"]
    ]
    errors = {str(Path(r.file_name).relative_to(inbox)): r.error for r in reports if r.error}
    assert errors == {
        path: message.replace("{path}", str(inbox / path))
        for path, message in expected["errors"].items()
    }
    skipped = {
        str(Path(r.file_name).relative_to(inbox)): r.note for r in reports if r.status == "skipped"
    }
    assert skipped == expected.get("skipped", {})
    if "read_as" in expected:
        read_as = {str(Path(r.file_name).relative_to(inbox)): r.note for r in reports}
        assert read_as == expected["read_as"]
    for rows_in, rows_staged, rows_quarantined, lines, quarantined_rows in ledger:
        assert rows_in == rows_staged + rows_quarantined
        assert rows_quarantined == quarantined_rows
        assert lines >= rows_quarantined
    for report in reports:
        if not report.error:
            assert report.rows_in == report.rows_staged + report.rows_quarantined
    assert staged == {feed: spec["values"] for feed, spec in expected["staged"].items()}
    assert staged_rows == sum(len(spec["values"]) for spec in expected["staged"].values())

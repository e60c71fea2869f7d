"""One night over an inbox holding every kind of bad input at once, beside a council's
good files: the night completes, every good file loads, and the next night is not blocked.

The bad inputs are the whole committed corpus (tests/data_contracts/corpus/) plus what
only a live file system holds (a file name that is not UTF-8, links, a pipe) and a poison
file whose writing fails. The nightly's pipeline function runs as `sfp nightly` runs its
stages: ingest, link, derive.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

import data_contracts.batch_load as batch_load
from data_contracts.feed_reader import display_name
from data_contracts.warehouse import connect, scalar
from indicators.pipeline import NightlyOptions, run_nightly
from indicators.plan import load_plan
from sample_data.generate import write_sample

CORPUS = Path(__file__).resolve().parents[1] / "data_contracts" / "corpus"
KEEP_NAME = (".", "~$", "Thumbs.db")


def _copy_corpus(inbox: Path) -> dict[Path, str]:
    """Every corpus case's files into one inbox; the outcome each must have."""
    expected: dict[Path, str] = {}
    for case in sorted(p for p in CORPUS.iterdir() if (p / "expected.json").exists()):
        outcome = json.loads((case / "expected.json").read_text())
        refused = set(outcome["errors"])
        skipped = set(outcome.get("skipped", {}))
        for source in sorted((case / "inbox").rglob("*")):
            if not source.is_file():
                continue
            relative = source.relative_to(case / "inbox")
            name = relative.name
            target = inbox / relative
            if not name.startswith(KEEP_NAME) and len(relative.parts) <= 2:
                target = target.with_name(f"{case.name[:2]}--{name}")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            listed = str(relative.parts[0]) if relative.parts[0] in skipped else str(relative)
            if str(relative) in refused:
                expected[target] = "refused"
            elif listed in skipped:
                expected[inbox / listed] = "skipped"
            else:
                expected[target] = "loaded"
    return expected


def _night(con: duckdb.DuckDBPyConnection, inbox: Path, as_of: date, warehouse: Path) -> list:
    return run_nightly(con, warehouse, inbox, NightlyOptions(load_plan(), as_of)).batches


@pytest.mark.slow
def test_every_bad_input_at_once_loses_no_good_file_and_blocks_no_night(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = write_sample(tmp_path / "council", 20, 3)
    as_of = date.fromisoformat(str(summary["as_of"]))
    inbox = tmp_path / "council" / "inbox"
    good = {path: "loaded" for path in inbox.rglob("*.csv")}
    expected = _copy_corpus(inbox)
    # What only a live file system holds.
    police = inbox / "police"
    odd_name = Path(os.fsdecode(os.path.join(os.fsencode(police), b"caf\xe9.csv")))
    shutil.copyfile(
        CORPUS / "01_impossible_iso_date" / "inbox" / "police" / "2024-05.csv", odd_name
    )
    (police / "dangling.csv").symlink_to(tmp_path / "gone.csv")
    outside = tmp_path / "outside.csv"
    outside.write_text("source_person_id\n")
    (police / "outside.csv").symlink_to(outside)
    os.mkfifo(police / "pipe.csv")
    poison = police / "poison.csv"
    source = CORPUS / "02_impossible_uk_date" / "inbox" / "police" / "2024-05.csv"
    poison.write_bytes(source.read_bytes().replace(b"\r\n", b"\n"))  # bytes of its own
    expected |= {
        odd_name: "loaded",
        police / "dangling.csv": "skipped",
        police / "outside.csv": "refused",
        police / "pipe.csv": "skipped",
        poison: "refused",
    }
    real = batch_load.find_repeats

    def poisoned(con, feed, name, typed):  # type: ignore[no-untyped-def]
        if name == "poison.csv":
            raise duckdb.ConversionException("could not convert 3000000000 to INT32")
        return real(con, feed, name, typed)

    monkeypatch.setattr(batch_load, "find_repeats", poisoned)

    warehouse = tmp_path / "w.duckdb"
    with connect(warehouse) as con:
        first = _night(con, inbox, as_of, warehouse)
        refusals = scalar(con, "select count(*) from load_error")
        later = inbox / "police" / "2025-09-new.csv"
        news = CORPUS / "03_date_in_words" / "inbox" / "police" / "2024-05.csv"
        later.write_bytes(news.read_bytes().replace(b"\r\n", b"\n"))
        second = _night(con, inbox, as_of, warehouse)
        ledger = con.execute(
            "select count(*) from load_batch where rows_in <> rows_staged + rows_quarantined"
        ).fetchall()
        refusals_after = scalar(con, "select count(*) from load_error")
        derived = scalar(con, "select count(*) from family_criterion_status")

    status = {report.file_name: report.status for report in first}
    for path in good:
        assert status[display_name(path)] == "loaded", path
    for path, outcome in expected.items():
        got = status[display_name(path)]
        # A corpus file may repeat another case's bytes exactly: loaded once, known after.
        assert got == outcome or (outcome, got) == ("loaded", "already loaded"), (path, got)
    assert len(status) == len(first)
    for report in first:
        if report.status == "loaded":
            assert report.rows_in == report.rows_staged + report.rows_quarantined
        assert "\n" not in report.line() and "3000000000" not in report.line()
    assert ledger == [(0,)]

    again = {report.file_name: report.status for report in second}
    assert again.pop(display_name(later)) == "loaded"
    for name, before in status.items():
        after = again[name]
        expected_after = {
            "loaded": "already loaded",
            "already loaded": "already loaded",
            "skipped": "skipped",
            "refused": "still refused",
        }[before]
        # A link out of the inbox is never read, so it has no bytes to remember: refused
        # again each night, but recorded once.
        if name == display_name(police / "outside.csv"):
            expected_after = "refused"
        assert after == expected_after, (name, before, after)
    assert refusals_after == refusals
    assert derived > 0

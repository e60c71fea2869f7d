"""A partner file that two source definitions of its folder match equally is refused
naming both, never routed by the definitions' names (issue 22)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from data_contracts.ingest import ingest_inbox
from data_contracts.source_catalogue import load_catalogue
from data_contracts.source_check import check_file
from data_contracts.warehouse import connect

RUN_AT = datetime(2025, 10, 1)
HEADER = "CCIS ID,Birth date,Period,Activity,Forename,Surname,Home postcode"
NEET = (
    "folder: ccis\nfeeds:\n  neet:\n    columns:\n"
    "      source_person_id: [CCIS ID]\n      dob: [Birth date]\n"
    "      month: [Period]\n      status: [Activity]\n"
)


def council(folder: Path, extra_b: str = "") -> Path:
    folder.mkdir()
    (folder / "tracker_b.yaml").write_text("name: tracker_b\n" + NEET + extra_b)
    (folder / "tracker_a.yaml").write_text("name: tracker_a\n" + NEET)
    return folder


def extract(inbox: Path, header: str) -> Path:
    path = inbox / "ccis" / "2025-07.csv"
    path.parent.mkdir(parents=True)
    path.write_text(f"{header}\nY1,2008-01-01,2025-07,neet,Ann,Ash,MK1 1AA\n", encoding="utf-8")
    return path


def test_a_file_two_definitions_match_equally_is_refused_naming_both(tmp_path: Path) -> None:
    sources = load_catalogue(council(tmp_path / "council"))
    path = extract(tmp_path / "inbox", HEADER)
    with connect(tmp_path / "w.duckdb") as con:
        [report] = ingest_inbox(con, tmp_path / "inbox", RUN_AT, sources=sources)
        staged = con.execute("select count(*) from stg_neet").fetchall()
        again = ingest_inbox(con, tmp_path / "inbox", RUN_AT, sources=sources)
    assert report.status == "refused"
    assert report.error == (
        f"{path}: matches source definitions tracker_a and tracker_b equally (each reads 6 of"
        " its columns), so it is not loaded: give each definition its own folder, or make one"
        " name a column only its files have"
    )
    assert "\n" not in report.error
    assert staged == [(0,)]
    assert [r.status for r in again] == ["still refused"]
    # `sfp sources check` says the same, rather than showing one of the two.
    checked = check_file(path, load_catalogue(tmp_path / "council"))
    assert checked.definition is None and "tracker_a and tracker_b equally" in checked.refusal


def test_the_definition_reading_more_of_the_file_still_wins(tmp_path: Path) -> None:
    extra = "      postcode: [Home postcode]\n"
    sources = load_catalogue(council(tmp_path / "council", extra))
    extract(tmp_path / "inbox", HEADER)
    with connect(tmp_path / "w.duckdb") as con:
        [report] = ingest_inbox(con, tmp_path / "inbox", RUN_AT, sources=sources)
        source = con.execute("select source from load_source").fetchall()
    assert report.status == "loaded", report.line()
    assert source == [("tracker_b",)]

"""What a shared inbox collects that the committed corpus cannot hold, and poison files.

Links, pipes and file names that are not UTF-8 are made here at run time (git cannot
carry them portably); errors nobody foresaw are forced by replacing one step for one file.
Each case states its exact outcome and checks rows in = staged + quarantined.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pandas as pd
import pytest

import data_contracts.batch_load as batch_load
import data_contracts.ingest as ingest
from data_contracts.inbox_scan import BROKEN_LINK_REASON, OUTSIDE_REASON, SPECIAL_REASON
from data_contracts.ingest import ingest_inbox
from data_contracts.warehouse import connect, scalar
from tests.conftest import write_csv
from tests.data_contracts.test_ingest import POLICE, police_row

SECRET = "9434765919"
"""An NHS-number-shaped value an exception message quotes; it must never be shown."""


def _inbox(tmp_path: Path, *names: str) -> Path:
    inbox = tmp_path / "inbox"
    for number, name in enumerate(names):
        write_csv(inbox / "police" / name, POLICE, [police_row(f"p{number}")])
    return inbox


def _reconciles(con: duckdb.DuckDBPyConnection) -> None:
    assert not con.execute(
        "select batch_id from load_batch b where rows_in <> rows_staged + rows_quarantined"
        " or rows_in <> (select count(*) from raw_police r where r.batch_id = b.batch_id)"
    ).fetchall()


def test_a_file_name_that_is_not_utf8_loads_under_a_printable_name(tmp_path: Path) -> None:
    inbox = _inbox(tmp_path, "2024-05.csv")
    folder = os.fsencode(inbox / "police")
    source = os.path.join(folder, b"2024-05.csv")
    os.rename(source, os.path.join(folder, b"caf\xe9 2024-05.csv"))  # Latin-1 from a share
    with connect(tmp_path / "w.duckdb") as con:
        [report] = ingest_inbox(con, inbox)
        stored = scalar(con, "select file_name from load_batch")
        _reconciles(con)
    assert report.status == "loaded" and report.rows_staged == 1
    assert stored == "caf\\xe9 2024-05.csv"
    assert report.file_name.endswith("police/caf\\xe9 2024-05.csv")
    assert report.line().isprintable()


def test_links_pipes_and_links_out_of_the_inbox_are_listed_never_read(tmp_path: Path) -> None:
    inbox = _inbox(tmp_path, "2024-05.csv")
    outside = tmp_path / "elsewhere" / "2024-06.csv"
    write_csv(outside, POLICE, [police_row("secret")])
    (inbox / "police" / "link-out.csv").symlink_to(outside)
    (inbox / "police" / "link-in.csv").symlink_to(inbox / "police" / "2024-05.csv")
    (inbox / "police" / "dangling.csv").symlink_to(tmp_path / "gone.csv")
    os.mkfifo(inbox / "police" / "pipe.csv")  # reading it would never end
    (inbox / "housing").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    with connect(tmp_path / "w.duckdb") as con:
        reports = {Path(r.file_name).name: r for r in ingest_inbox(con, inbox)}
        errors = con.execute("select file_name, file_sha256 from load_error order by 1").fetchall()
        staged = sorted(
            k for (k,) in con.execute("select source_person_id from stg_police").fetchall()
        )
    assert {name: (r.status, r.note or r.error) for name, r in reports.items()} == {
        "2024-05.csv": ("loaded", "CSV, UTF-8"),
        "dangling.csv": ("skipped", BROKEN_LINK_REASON),
        "housing": ("refused", f"{inbox / 'housing'}: {OUTSIDE_REASON}"),
        "link-in.csv": ("already loaded", ""),
        "link-out.csv": ("refused", f"{inbox / 'police' / 'link-out.csv'}: {OUTSIDE_REASON}"),
        "pipe.csv": ("skipped", SPECIAL_REASON),
    }
    # Refused links are recorded without their bytes: nothing outside the inbox is read.
    assert [digest for _, digest in errors] == [None, None]
    assert staged == ["p0"]


def _fail_for(file_name: str, error: BaseException, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make writing one file's batch fail the way a bug or a crash would."""
    real = batch_load.find_repeats

    def failing(con, feed, name, typed):  # type: ignore[no-untyped-def]
        if name == file_name:
            raise error
        return real(con, feed, name, typed)

    monkeypatch.setattr(batch_load, "find_repeats", failing)


def test_any_error_refuses_only_its_file_names_no_value_and_is_not_retried(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = _inbox(tmp_path, "2024-04.csv", "2024-05.csv", "2024-06.csv")
    _fail_for("2024-05.csv", duckdb.ConversionException(f"could not convert {SECRET}"), monkeypatch)
    with connect(tmp_path / "w.duckdb") as con:
        first = ingest_inbox(con, inbox)
        second = ingest_inbox(con, inbox)
        refusals_after_two_nights = scalar(con, "select count(*) from load_error")
        monkeypatch.undo()
        write_csv(inbox / "police" / "2024-05.csv", POLICE, [police_row("p1"), police_row("p9")])
        third = ingest_inbox(con, inbox)
        _reconciles(con)
        staged = sorted(
            k for (k,) in con.execute("select source_person_id from stg_police").fetchall()
        )
    path = inbox / "police" / "2024-05.csv"
    assert [r.status for r in first] == ["loaded", "refused", "loaded"]
    assert first[1].error == (
        f"{path}: could not be written (ConversionException); nothing of it was loaded,"
        " the other files were"
    )
    assert [r.status for r in second] == ["already loaded", "still refused", "already loaded"]
    assert second[1].note == first[1].error
    assert refusals_after_two_nights == 1
    assert [r.status for r in third] == ["already loaded", "loaded", "already loaded"]
    assert staged == ["p0", "p1", "p2", "p9"]
    for report in (*first, *second, *third):
        assert SECRET not in report.line() and "\n" not in report.line()


def test_a_check_that_fails_for_one_file_refuses_that_file_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = _inbox(tmp_path, "2024-04.csv", "2024-05.csv", "2024-06.csv")
    real = ingest.validate_batches

    def failing(feed, batches, load_date):  # type: ignore[no-untyped-def]
        if any((frame["source_person_id"] == "p1").any() for frame, _ in batches):
            raise KeyError(SECRET)
        return real(feed, batches, load_date)

    monkeypatch.setattr(ingest, "validate_batches", failing)
    with connect(tmp_path / "w.duckdb") as con:
        reports = ingest_inbox(con, inbox)
        _reconciles(con)
    assert [r.status for r in reports] == ["loaded", "refused", "loaded"]
    assert reports[1].error.endswith(
        "could not be checked (KeyError); nothing of it was loaded, the other files were"
    )
    assert SECRET not in reports[1].error


@pytest.mark.parametrize(
    "interrupt", [KeyboardInterrupt(), duckdb.InterruptException("INTERRUPT Error")]
)
def test_ctrl_c_while_a_batch_is_written_rolls_it_back_and_stops(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, interrupt: BaseException
) -> None:
    """Ctrl-C is neither a refused file nor a DuckDB transaction error: the open batch is
    rolled back, the night stops, and the next night loads the rest."""
    inbox = _inbox(tmp_path, "2024-04.csv", "2024-05.csv", "2024-06.csv")
    real_insert = batch_load._insert

    def interrupted(con, table, frame):  # type: ignore[no-untyped-def]
        real_insert(con, table, frame)
        if table == "stg_police_all" and (frame["source_person_id"] == "p1").any():
            raise interrupt

    monkeypatch.setattr(batch_load, "_insert", interrupted)
    with connect(tmp_path / "w.duckdb") as con:
        with pytest.raises(KeyboardInterrupt):
            ingest_inbox(con, inbox)
        monkeypatch.undo()
        after_interrupt = con.execute(
            "select (select count(*) from load_batch), (select count(*) from raw_police),"
            " (select count(*) from stg_police_all), (select count(*) from load_error)"
        ).fetchall()
        rerun = ingest_inbox(con, inbox)
        _reconciles(con)
    assert after_interrupt == [(1, 1, 1, 0)]
    assert [r.status for r in rerun] == ["already loaded", "loaded", "loaded"]


def test_month_first_evidence_against_day_first_evidence_refuses_nothing(tmp_path: Path) -> None:
    """A day-first file with one month-first typo is not a US file: only the typo's row
    (which reads as no date) is quarantined."""
    inbox = tmp_path / "inbox"
    rows = [
        police_row("a", "13/05/2024"),
        police_row("b", "05/31/2024"),
        police_row("c", "04/05/2024"),
    ]
    write_csv(inbox / "police" / "2024-05.csv", POLICE, rows)
    with connect(tmp_path / "w.duckdb") as con:
        [report] = ingest_inbox(con, inbox)
        dates = con.execute("select event_date from stg_police order by row_number").fetchall()
        reasons = con.execute(
            "select row_number, column_name, reason from quarantine_row"
        ).fetchall()
    assert (report.status, report.rows_staged, report.rows_quarantined) == ("loaded", 2, 1)
    assert [d.isoformat() for (d,) in dates] == ["2024-05-13", "2024-05-04"]
    assert reasons == [(3, "event_date", "expected a date as YYYY-MM-DD or DD/MM/YYYY")]


def test_only_a_corrected_resend_under_the_same_name_replaces_rows(tmp_path: Path) -> None:
    """Supersession and repeats together: the same rows under the same name replace the
    batch (nothing quarantined), under another name they are quarantined."""
    inbox = _inbox(tmp_path, "2024-05.csv")
    with connect(tmp_path / "w.duckdb") as con:
        ingest_inbox(con, inbox)
        write_csv(inbox / "police" / "2024-05.csv", POLICE, [police_row("p0"), police_row("q")])
        [corrected] = ingest_inbox(con, inbox)
        write_csv(inbox / "police" / "2024-05 (copy).csv", POLICE, [police_row("q")])
        copied = ingest_inbox(con, inbox)[0]
        current = sorted(
            k for (k,) in con.execute("select source_person_id from stg_police").fetchall()
        )
        reason = scalar(con, "select reason from quarantine_row")
    assert corrected.supersedes and corrected.rows_quarantined == 0
    assert copied.file_name.endswith("2024-05 (copy).csv") and copied.rows_quarantined == 1
    assert reason == "same as 2024-05.csv row 3 (incident_id, source_person_id, event_type)"
    assert current == ["p0", "q"]


def test_read_as_is_kept_with_the_batch(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    write_csv(inbox / "police" / "cp.csv", POLICE, [police_row("a")], encoding="cp1252")
    path = inbox / "police" / "cp.csv"
    path.write_bytes(path.read_bytes().replace(b"Amy", "Zoë".encode("cp1252")))
    with connect(tmp_path / "w.duckdb") as con:
        ingest_inbox(con, inbox)
        read_as = scalar(con, "select read_as from load_batch")
        forename = scalar(con, "select forename from stg_police")
    assert read_as == (
        "CSV, Windows-1252 (1 of 1 non-ASCII characters plausible (as Mac Roman: 0))"
    )
    assert forename == "Zoë"


def test_old_warehouse_gains_read_as(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "create table load_batch (batch_id varchar primary key, feed varchar not null,"
            " file_name varchar not null, file_sha256 varchar not null, rows_in integer not null,"
            " rows_staged integer not null, rows_quarantined integer not null,"
            " load_seq integer not null, loaded_at timestamp not null)"
        )
    inbox = _inbox(tmp_path, "2024-05.csv")
    with connect(warehouse) as con:
        [report] = ingest_inbox(con, inbox)
        assert scalar(con, "select read_as from load_batch") == "CSV, UTF-8"
    assert report.status == "loaded"


def test_an_unnamed_column_with_values_is_kept_as_an_extra_column(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    path = inbox / "police" / "2024-05.csv"
    write_csv(path, [*POLICE, ""], [[*police_row("a"), "note"], [*police_row("b"), ""]])
    with connect(tmp_path / "w.duckdb") as con:
        [report] = ingest_inbox(con, inbox)
        extras = [
            e for (e,) in con.execute("select extra_columns from raw_police order by 1").fetchall()
        ]
    assert report.rows_staged == 2
    assert extras == ['{"(column 10)": ""}', '{"(column 10)": "note"}']


def test_reading_a_frame_directly_still_works(tmp_path: Path) -> None:
    from data_contracts.ingest import read_feed_file

    path = tmp_path / "x.csv"
    write_csv(path, POLICE, [police_row("a")])
    assert list(read_feed_file(path).columns) == POLICE
    assert isinstance(read_feed_file(path), pd.DataFrame)


def test_rows_staged_before_repeats_were_checked_are_found_again(tmp_path: Path) -> None:
    """A warehouse made before `staged_row_key` existed gets its keys on first connection."""
    inbox = _inbox(tmp_path, "2024-05.csv")
    with connect(tmp_path / "w.duckdb") as con:
        ingest_inbox(con, inbox)
        con.execute("drop table staged_row_key")
    write_csv(inbox / "police" / "2024-05 again.csv", POLICE, [police_row("n"), police_row("p0")])
    with connect(tmp_path / "w.duckdb") as con:
        [again, _] = ingest_inbox(con, inbox)  # " again" sorts before ".csv"
        reason = scalar(con, "select reason from quarantine_row")
    assert (again.rows_staged, again.rows_quarantined) == (1, 1)
    assert reason == "same as 2024-05.csv row 2 (incident_id, source_person_id, event_type)"


def test_a_source_definition_reads_what_detection_cannot(tmp_path: Path) -> None:
    """Central European Windows-1250 with semicolons, which detection alone refuses: the
    council names the character set and delimiter in a source definition for the
    partner's folder, and the same bytes load there (a SPEC-shaped file loads through any
    definition, its columns taken by their own names)."""
    from data_contracts.source_catalogue import load_catalogue

    inbox = tmp_path / "inbox"
    path = inbox / "police" / "2024-05.csv"
    path.parent.mkdir(parents=True)
    row = police_row("a")
    row[1] = "Łukasz"
    path.write_bytes(("\r\n".join([";".join(POLICE), ";".join(row)]) + "\r\n").encode("cp1250"))
    council = tmp_path / "council"
    council.mkdir()
    (council / "police_pl.yaml").write_text(
        "name: police_pl\nread: {encoding: cp1250, delimiter: semicolon}\nfeeds:\n  police:\n"
    )
    with connect(tmp_path / "w.duckdb") as con:
        [refused] = ingest_inbox(con, inbox)
        (inbox / "police_pl").mkdir()
        path.rename(inbox / "police_pl" / path.name)
        [report] = ingest_inbox(con, inbox, sources=load_catalogue(council))
        forename = scalar(con, "select forename from stg_police")
    assert "unknown text encoding" in refused.error
    assert report.rows_staged == 1, report.line()
    assert report.note.endswith(": CSV, cp1250 (as configured)")
    assert forename == "Łukasz"

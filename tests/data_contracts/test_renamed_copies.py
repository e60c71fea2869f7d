"""Re-sent files, renamed copies and corrections, in every order of arrival (issue 22).

A browser's `2023-10 (1).csv` sorted before `2023-10.csv` and became the staged batch;
the partner's later correction under the original name then left the stale row staged
beside the corrected one (exclusions counted twice), or was quarantined as a repeat of the
copy (police). The rows staged must always be the latest version of each file, and a copy
must never shadow the original (docs/contracts.md).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from data_contracts.batch_load import BatchReport
from data_contracts.file_versions import is_copy, original_name
from data_contracts.ingest import ingest_inbox
from data_contracts.warehouse import connect
from tests.conftest import write_csv
from tests.data_contracts.test_ingest import PERSON, POLICE, police_row

EXCLUSIONS = PERSON + ["upn", "school_urn", "start_date", "category", "days_lost"]


def exclusion(days: str) -> list[str]:
    return ["X1", "Amy", "Stone", "2012-02-03", "MK1 1AA", "A123", "100001", "2024-03-04",
            "suspension", days]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "original"),
    [
        ("2023-10 (1).csv", "2023-10.csv"),
        ("2023-10(12).csv", "2023-10.csv"),
        ("Copy of 2023-10.csv", "2023-10.csv"),
        ("Copy (2) of 2023-10.xlsx", "2023-10.xlsx"),
        ("2023-10 - Copy.csv", "2023-10.csv"),
        ("2023-10 - Copy (3).csv", "2023-10.csv"),
        ("2023-10 copy.csv", "2023-10.csv"),
        ("2023-10 copy 2.csv", "2023-10.csv"),
        ("Copy of 2023-10 (1) - Copy.csv", "2023-10.csv"),
        ("school_census/Spring 2024 (1).csv", "school_census/Spring 2024.csv"),
    ],
)
def test_a_renamed_copy_names_its_original(name: str, original: str) -> None:
    assert original_name(name) == original and is_copy(name)


@pytest.mark.parametrize(
    "name", ["2023-10.csv", "2024-05-v2.csv", "copy.csv", "(1).csv", "copy of .csv", "x"]
)
def test_other_names_are_their_own(name: str) -> None:
    assert original_name(name) == name and not is_copy(name)


def night(con: duckdb.DuckDBPyConnection, inbox: Path) -> dict[str, BatchReport]:
    return {report.file_name.rsplit("/", 1)[-1]: report for report in ingest_inbox(con, inbox)}


def staged(con: duckdb.DuckDBPyConnection, feed: str, column: str) -> list[tuple[str, str]]:
    """The current staged rows: (file they came from, value)."""
    return con.execute(
        f'select b.file_name, cast(s."{column}" as varchar) from stg_{feed} s '
        "join load_batch b using (batch_id) order by 1, 2"
    ).fetchall()


def quarantined(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("select count(*) from quarantine_row").fetchall()[0][0]


def test_copy_first_then_a_correction_under_the_original_name(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox" / "exclusions"
    write_csv(inbox / "2023-10 (1).csv", EXCLUSIONS, [exclusion("2")])
    with connect(tmp_path / "w.duckdb") as con:
        first = night(con, inbox.parent)
        assert first["2023-10 (1).csv"].status == "loaded"
        assert staged(con, "exclusions", "days_lost") == [("2023-10 (1).csv", "2.0")]
        write_csv(inbox / "2023-10.csv", EXCLUSIONS, [exclusion("3")])
        second = night(con, inbox.parent)
        assert second["2023-10.csv"].supersedes == (first["2023-10 (1).csv"].batch_id,)
        assert second["2023-10 (1).csv"].status == "already loaded"
        # Counted once: the correction's row only.
        assert staged(con, "exclusions", "days_lost") == [("2023-10.csv", "3.0")]
        assert quarantined(con) == 0


def test_police_correction_after_a_copy_is_not_a_repeat_of_the_copy(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox" / "police"
    write_csv(inbox / "2023-10 (1).csv", POLICE, [police_row("a", event_type="burglary")])
    with connect(tmp_path / "w.duckdb") as con:
        night(con, inbox.parent)
        write_csv(inbox / "2023-10.csv", POLICE, [police_row("a", event_type="arrest")])
        report = night(con, inbox.parent)["2023-10.csv"]
        assert (report.rows_staged, report.rows_quarantined) == (1, 0)
        assert staged(con, "police", "event_type") == [("2023-10.csv", "arrest")]


def test_original_then_a_copy_with_other_bytes_is_refused_naming_the_original(
    tmp_path: Path,
) -> None:
    inbox = tmp_path / "inbox" / "police"
    write_csv(inbox / "2023-10.csv", POLICE, [police_row("a")])
    with connect(tmp_path / "w.duckdb") as con:
        night(con, inbox.parent)
        write_csv(inbox / "Copy of 2023-10.csv", POLICE, [police_row("a"), police_row("b")])
        report = night(con, inbox.parent)["Copy of 2023-10.csv"]
        assert report.status == "refused"
        assert report.error == (
            "Copy of 2023-10.csv: a renamed copy of 2023-10.csv, which is loaded; a copy never"
            " replaces the original (to correct 2023-10.csv, send the new file under that name)"
        )
        assert staged(con, "police", "source_person_id") == [("2023-10.csv", "a")]
        # Not tried again while unchanged; the original's correction still supersedes.
        assert night(con, inbox.parent)["Copy of 2023-10.csv"].status == "still refused"
        write_csv(inbox / "2023-10.csv", POLICE, [police_row("a"), police_row("b")])
        assert night(con, inbox.parent)["2023-10.csv"].status == "loaded"
        assert staged(con, "police", "source_person_id") == [
            ("2023-10.csv", "a"),
            ("2023-10.csv", "b"),
        ]


def test_original_then_an_identical_copy_is_already_loaded(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox" / "exclusions"
    write_csv(inbox / "2023-10.csv", EXCLUSIONS, [exclusion("2")])
    with connect(tmp_path / "w.duckdb") as con:
        night(con, inbox.parent)
        (inbox / "2023-10 (1).csv").write_bytes((inbox / "2023-10.csv").read_bytes())
        assert night(con, inbox.parent)["2023-10 (1).csv"].status == "already loaded"
        assert staged(con, "exclusions", "days_lost") == [("2023-10.csv", "2.0")]


@pytest.mark.parametrize("same_bytes", [True, False])
def test_copy_and_original_on_the_same_night_the_original_wins(
    tmp_path: Path, same_bytes: bool
) -> None:
    inbox = tmp_path / "inbox" / "exclusions"
    write_csv(inbox / "2023-10.csv", EXCLUSIONS, [exclusion("3")])
    write_csv(inbox / "2023-10 (1).csv", EXCLUSIONS, [exclusion("3" if same_bytes else "2")])
    with connect(tmp_path / "w.duckdb") as con:
        reports = ingest_inbox(con, inbox.parent)
        # Reports stay in inbox order (the copy's name sorts first) ...
        by_name = {Path(r.file_name).name: r for r in reports}
        assert list(by_name) == ["2023-10 (1).csv", "2023-10.csv"]
        assert by_name["2023-10.csv"].status == "loaded"
        copy = by_name["2023-10 (1).csv"]
        if same_bytes:
            assert copy.status == "already loaded"
        else:
            assert copy.status == "refused"
            assert "a renamed copy of 2023-10.csv, which is in the inbox too" in copy.error
        # ... and the original is what is staged.
        assert staged(con, "exclusions", "days_lost") == [("2023-10.csv", "3.0")]


def test_copies_of_a_file_never_loaded_by_name_the_latest_wins(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox" / "exclusions"
    write_csv(inbox / "2023-10 (1).csv", EXCLUSIONS, [exclusion("1")])
    with connect(tmp_path / "w.duckdb") as con:
        first = night(con, inbox.parent)["2023-10 (1).csv"]
        write_csv(inbox / "2023-10 (2).csv", EXCLUSIONS, [exclusion("2")])
        second = night(con, inbox.parent)["2023-10 (2).csv"]
        assert second.supersedes == (first.batch_id,)
        assert staged(con, "exclusions", "days_lost") == [("2023-10 (2).csv", "2.0")]
        # The original name arriving last replaces whichever copy was current.
        write_csv(inbox / "2023-10.csv", EXCLUSIONS, [exclusion("5")])
        third = night(con, inbox.parent)["2023-10.csv"]
        assert third.supersedes == (second.batch_id,)
        assert staged(con, "exclusions", "days_lost") == [("2023-10.csv", "5.0")]
        assert quarantined(con) == 0


def test_a_copy_of_another_month_is_still_a_repeat_not_a_version(tmp_path: Path) -> None:
    # Only a copy of the same file is a version of it: `2023-11 (1).csv` repeating
    # `2023-10.csv`'s row is quarantined as before (docs/contracts.md, "Rows sent twice").
    inbox = tmp_path / "inbox" / "exclusions"
    write_csv(inbox / "2023-10.csv", EXCLUSIONS, [exclusion("2")])
    with connect(tmp_path / "w.duckdb") as con:
        night(con, inbox.parent)
        write_csv(inbox / "2023-11 (1).csv", EXCLUSIONS, [exclusion("2"), exclusion("4")])
        report = night(con, inbox.parent)["2023-11 (1).csv"]
        assert (report.status, report.supersedes, report.rows_quarantined) == ("loaded", (), 1)
        assert staged(con, "exclusions", "days_lost") == [
            ("2023-10.csv", "2.0"),
            ("2023-11 (1).csv", "4.0"),
        ]

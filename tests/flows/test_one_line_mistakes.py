"""The last tracebacks of issue 22 are one line and exit code 2, naming what to fix: a
`--model` file of the wrong shape, a bad date pattern in a source definition, a full disk
(said as such, and never held against a partner's file)."""

from __future__ import annotations

import errno
import json
from pathlib import Path

import duckdb
import pytest

from data_contracts.ingest import ingest_inbox
from data_contracts.source_catalogue import load_catalogue
from data_contracts.source_definitions import SourceDefinitionError
from data_contracts.warehouse import DiskFull, connect
from matching.model import person_settings
from matching.pair_scoring import ModelMismatch, check_saved_model
from tests.cli_runner import Ran, run_sfp
from tests.conftest import write_csv
from tests.data_contracts.test_ingest import POLICE, police_row


def one_line(ran: Ran, words: str) -> None:
    assert ran.returncode == 2, ran.stdout + ran.stderr
    assert ran.stderr.count("\n") == 1 and words in ran.stderr, ran.stderr
    assert "Traceback" not in ran.stderr


def saved_model() -> dict:
    """What a nightly saves as person-model-run-N.json (the settings of this version)."""
    return person_settings(0.001).create_settings_dict("duckdb")


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"\x89PNG\r\n\x1a\n", "not a saved person model (not UTF-8 text)"),
        (b"comparisons: []\n", "not a saved person model (not JSON (line 1))"),
        (b"[1, 2, 3]", "not a saved person model of this pipeline"),
        (b'{"link_type": "dedupe_only"}', "not a saved person model of this pipeline (no "),
        (b'{"probability_two_random_records_match": "often"}', "of this pipeline"),
    ],
)
def test_a_model_file_of_the_wrong_shape_is_one_line(
    tmp_path: Path, content: bytes, words: str
) -> None:
    (tmp_path / "inbox").mkdir()
    (tmp_path / "model.json").write_bytes(content)
    with pytest.raises(ModelMismatch, match="model.json: "):
        check_saved_model(tmp_path / "model.json")
    ran = run_sfp("nightly", "--inbox", "inbox", "--model", "model.json", cwd=tmp_path)
    one_line(ran, words)
    assert not (tmp_path / "warehouse.duckdb").exists()


def test_a_model_of_other_comparisons_is_refused_and_this_versions_is_not(
    tmp_path: Path,
) -> None:
    good = tmp_path / "person-model-run-1.json"
    good.write_text(json.dumps(saved_model()))
    check_saved_model(good)
    other = saved_model()
    other["comparisons"] = other["comparisons"][:-1]
    (tmp_path / "other.json").write_text(json.dumps(other))
    with pytest.raises(ModelMismatch, match="other.json: its comparisons differ"):
        check_saved_model(tmp_path / "other.json")


NEET = (
    "name: tracker\nfolder: ccis\nfeeds:\n  neet:\n    columns:\n"
    "      source_person_id: [CCIS ID]\n      dob: [Birth date]\n"
    "      month: [Period]\n      status: [Activity]\n"
)


@pytest.mark.parametrize(
    ("formats", "words"),
    [
        ("date_formats: ['%Q/%m/%Y']\n", "date_formats: '%Q/%m/%Y' is not a date pattern"),
        ("date_formats: ['%d/%m/%Y%']\n", "is not a date pattern"),
        ("date_formats: ['%d/%m']\n", "'%d/%m' does not read a day, month and year"),
        ("month_formats: ['%y']\n", "'%y' does not read a month and year"),
    ],
)
def test_a_bad_date_pattern_in_a_definition_is_one_line(
    tmp_path: Path, formats: str, words: str
) -> None:
    council = tmp_path / "council"
    council.mkdir()
    (council / "tracker.yaml").write_text(NEET + formats)
    with pytest.raises(SourceDefinitionError, match="tracker.yaml"):
        load_catalogue(council)
    (tmp_path / "x.csv").write_text("CCIS ID,Birth date,Period,Activity\n")
    ran = run_sfp("sources", "check", "x.csv", "--sources", "council", cwd=tmp_path)
    one_line(ran, words)


def test_good_date_patterns_still_load(tmp_path: Path) -> None:
    council = tmp_path / "council"
    council.mkdir()
    (council / "tracker.yaml").write_text(
        NEET + "date_formats: ['%d-%b-%Y', '%d/%m/%Y %H:%M', uk]\nmonth_formats: ['%b %Y']\n"
    )
    assert load_catalogue(council).get("tracker").feeds[0].date_formats[0] == "%d-%b-%Y"


def test_a_full_disk_stops_the_night_and_refuses_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import data_contracts.ingest as ingest

    inbox = tmp_path / "inbox"
    write_csv(inbox / "police" / "2024-05.csv", POLICE, [police_row("a")])
    write_csv(inbox / "police" / "2024-06.csv", POLICE, [police_row("b")])
    real = ingest.load_file

    def full(con, prepared, checked, loaded_at):  # type: ignore[no-untyped-def]
        if prepared.path.name == "2024-06.csv":
            raise duckdb.IOException('Could not write file "w.duckdb.wal": No space left on device')
        return real(con, prepared, checked, loaded_at)

    with connect(tmp_path / "w.duckdb") as con:
        monkeypatch.setattr(ingest, "load_file", full)
        with pytest.raises(DiskFull, match="disk full"):
            ingest_inbox(con, inbox)
        monkeypatch.undo()
        # Nothing held against the file: space freed, the next night loads it.
        assert con.execute("select count(*) from load_error").fetchall() == [(0,)]
        reports = ingest_inbox(con, inbox)
        assert [r.status for r in reports] == ["already loaded", "loaded"]


def test_a_full_disk_anywhere_in_a_command_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import flows.cli

    connect(tmp_path / "w.duckdb").close()

    def full(command, args):  # type: ignore[no-untyped-def]
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(flows.cli, "execute", full)
    ran = run_sfp("claim", "--as-of", "2025-09-30", "--warehouse", "w.duckdb", cwd=tmp_path)
    one_line(ran, "disk full (no space left on the device) while running claim")

"""`sfp sources check` and partner shapes through the command line (real processes)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from data_contracts.source_catalogue import SHIPPED_SOURCES
from tests.cli_runner import Ran, run_sfp

PROGRESS_LINE = re.compile(r"\[\s*[0-9.]+s\] ")

POLICE = (
    "OccurrenceRef|OccurrenceDate|NominalID|Surname|Forenames|DateOfBirth|Sex|Postcode|Address"
    "|InvolvementCode|SeriousOffence\n"
    "I1|02/01/2025 10:15|N1|Ames|Al|17/01/1990|Male|MK1 1AA|1 Road|OFF|N\n"
    "I2|03/01/2025 11:00|N2|Bell|Bo|07/03/1985|Female|MK1 1AB|2 Road|WIT|N\n"
)


def test_check_shows_how_a_partner_file_maps(tmp_path: Path) -> None:
    path = tmp_path / "police_records" / "2025-01.csv"
    path.parent.mkdir()
    path.write_text(POLICE)
    result = run_sfp("sources", "check", str(path), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith(f"{path}: source police_records (")
    assert "incident_id <- OccurrenceRef" in out and "event_type <- InvolvementCode" in out
    assert "not in the file (optional, left blank): upn, nino, nhs_number" in out
    assert "values with no mapping in event_type: 'WIT' (1 row)" in out
    assert "row 2: staged" in out
    assert (
        "row 3: quarantined: event_type: no mapping for 'WIT' in event_type (source"
        " police_records)" in out
    )
    assert not list(tmp_path.glob("*.duckdb"))  # nothing loaded


def test_check_of_a_file_matching_nothing_names_the_closest(tmp_path: Path) -> None:
    path = tmp_path / "weather.csv"
    path.write_text("day,rain_mm\n2024-06-01,3\n")
    result = run_sfp("sources", "check", str(path), cwd=tmp_path)
    assert result.returncode == 1
    line, unread = result.stdout.splitlines()
    assert line.startswith(f"{path}: matches no source definition (tried: dwp_universal_credit,")
    assert "; closest: " in line
    closest = line.split("; closest: ")[1].split(" ")[0]
    # Then the columns the closest reads in no way (issue 24): here every one of them.
    assert unread == (
        f"  columns nothing reads (by the closest definition, {closest}; a renamed one needs"
        " an alias): day, rain_mm"
    )


def test_a_wrong_definition_is_one_line_and_exit_2(tmp_path: Path) -> None:
    council = tmp_path / "council"
    council.mkdir()
    text = (SHIPPED_SOURCES / "police_records.yaml").read_text()
    (council / "police_records.yaml").write_text(text.replace("ASB: asb", "ASB: antisocial"))
    path = tmp_path / "police_records" / "2025-01.csv"
    path.parent.mkdir()
    path.write_text(POLICE)
    result = run_sfp("sources", "check", str(path), "--sources", str(council), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"sfp: error: {council / 'police_records.yaml'}: feeds.police.values.event_type: 'ASB'"
        " maps onto 'antisocial', which feed column event_type does not allow (expected one"
        " of: offence, arrest, named_suspect, asb, missing_episode, da_victim, da_perpetrator,"
        " da_child_present, cse_concern, cce_concern)"
    )
    unknown = run_sfp("sources", "check", str(path), "--source", "polce", cwd=tmp_path)
    assert unknown.returncode == 2
    assert "no source definition named 'polce'" in unknown.stderr
    nightly = run_sfp("nightly", "--inbox", str(tmp_path), "--sources", str(council), cwd=tmp_path)
    assert nightly.returncode == 2 and "maps onto 'antisocial'" in nightly.stderr
    assert "Traceback" not in nightly.stderr


@pytest.mark.slow
def test_partner_shaped_council_through_the_cli_then_a_changed_definition(
    tmp_path: Path, sfp: Callable[..., Ran]
) -> None:
    run_sfp = sfp
    sample = run_sfp(
        "sample", "--out", "council", "--households", "40", "--shape", "partner", cwd=tmp_path
    )
    assert sample.returncode == 0, sample.stderr
    assert "partner shape" in sample.stdout
    inbox = tmp_path / "council" / "inbox"
    assert (inbox / "ssd").is_dir() and not (inbox / "police").exists()
    first = run_sfp("nightly", "--inbox", str(inbox), "--warehouse", "w.duckdb", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert re.search(r"files loaded: .* quarantined; 0 refused", first.stdout), first.stdout

    # The force's definition changes (a new code): its loaded batches are now out of date.
    council = tmp_path / "definitions"
    council.mkdir()
    text = (SHIPPED_SOURCES / "police_records.yaml").read_text()
    (council / "police_records.yaml").write_text(
        text.replace("ASB: asb", "ASB: asb\n        AS: asb")
    )
    police_files = len(list((inbox / "police_records").glob("*.csv")))
    second = run_sfp(
        "nightly",
        "--inbox",
        str(inbox),
        "--warehouse",
        "w.duckdb",
        "--sources",
        str(council),
        cwd=tmp_path,
    )
    assert second.returncode == 0, second.stderr
    # The progress lines (`[  10.0s] ...`) name each file as it is done, each file once
    # (issue 24); the summary below them counts the stale files.
    stale = [line for line in second.stdout.splitlines() if "under an earlier definition" in line]
    assert len(stale) == police_files
    assert all(PROGRESS_LINE.match(line) for line in stale)
    assert all("police_records" in line for line in stale)
    assert (
        f"{police_files} loaded under an earlier source definition (`sfp nightly --rebuild`"
        " reloads them)" in second.stdout
    )
    rebuilt = run_sfp(
        "nightly",
        "--inbox",
        str(inbox),
        "--warehouse",
        "w.duckdb",
        "--sources",
        str(council),
        "--rebuild",
        cwd=tmp_path,
    )
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert f"; {police_files} earlier batches superseded" in rebuilt.stdout, rebuilt.stdout
    assert "under an earlier definition" not in rebuilt.stdout

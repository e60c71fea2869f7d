"""`sfp sources check` reads only the rows it shows, not a whole 200 MB extract (issue 22)."""

from __future__ import annotations

from pathlib import Path

import pytest

from data_contracts.source_catalogue import load_catalogue
from data_contracts.source_check import check_file
from tests.data_contracts.test_ingest import POLICE, police_row
from tests.flows.test_sources_cli import POLICE as PARTNER_POLICE

ROWS = 30_000


def never_whole(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    """Fail the test if anything reads `path` whole."""
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        assert self != path, f"{path.name} was read whole"
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)


def test_a_long_partner_file_is_previewed_from_its_first_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    header, first, second = PARTNER_POLICE.splitlines(keepends=True)[:3]
    path = tmp_path / "police_records" / "2025-01.csv"
    path.parent.mkdir()
    path.write_text(header + first + second * ROWS)
    never_whole(monkeypatch, path)
    check = check_file(path, load_catalogue(), rows=5)
    [feed] = check.feeds
    assert feed.partial and feed.rows == 20  # 2 x 5 rows + 10 lines of room, less the header
    assert [number for number, _ in feed.first_rows] == [2, 3, 4, 5, 6]
    assert check.lines()[1].startswith("feed police: the first 20 rows read (a preview")


def test_a_long_spec_file_is_previewed_from_its_first_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "police" / "2024-05.csv"
    path.parent.mkdir()
    body = "".join(",".join(police_row(f"p{n}")) + "\n" for n in range(ROWS))
    path.write_text(",".join(POLICE) + "\n" + body)
    never_whole(monkeypatch, path)
    [feed] = check_file(path, load_catalogue(), rows=3).feeds
    assert feed.partial and feed.rows == 16
    assert feed.first_rows == [(2, "staged"), (3, "staged"), (4, "staged")]


def test_a_short_file_is_read_whole_and_counted(tmp_path: Path) -> None:
    path = tmp_path / "police_records" / "2025-01.csv"
    path.parent.mkdir()
    path.write_text(PARTNER_POLICE)
    check = check_file(path, load_catalogue())
    [feed] = check.feeds
    assert not feed.partial and feed.rows == 2
    assert check.lines()[1] == "feed police: 2 rows"


def test_a_refused_partner_file_lists_the_columns_nothing_reads(tmp_path: Path) -> None:
    """A renamed required column: the refusal, then the file's columns no alias reads
    (the renamed one among them), so the council knows which alias to write."""
    renamed = PARTNER_POLICE.replace("OccurrenceDate", "DateOfOccurrence").replace(
        "|Sex|", "|Gender|"
    )
    path = tmp_path / "police_records" / "2025-01.csv"
    path.parent.mkdir()
    path.write_text(renamed)
    lines = check_file(path, load_catalogue(), source="police_records").lines()
    refused = next(i for i, line in enumerate(lines) if "REFUSED" in line)
    assert "OccurrenceDate" in lines[refused] or "event_date" in lines[refused], lines
    unread = lines[refused + 1]
    assert unread.startswith("  columns nothing reads (by feed police's columns and aliases")
    listed = unread.rsplit(": ", 1)[1].split(", ")
    assert "DateOfOccurrence" in listed and "Surname" not in listed and "Postcode" not in listed


def test_a_file_no_definition_matches_lists_what_the_closest_does_not_read(
    tmp_path: Path,
) -> None:
    path = tmp_path / "police_records" / "extract.csv"
    path.parent.mkdir()
    path.write_text(PARTNER_POLICE.replace("OccurrenceDate", "IncidentDate"))
    check = check_file(path, load_catalogue())
    lines = check.lines()
    assert (
        check.refusal and lines[0] == check.refusal and "matches no source definition" in lines[0]
    )
    assert lines[1].startswith("  columns nothing reads (by the closest definition, ")
    assert lines[1].rsplit(": ", 1)[1].split(", ") == ["IncidentDate"]


def test_a_refused_spec_file_lists_its_columns_the_feed_does_not_have(tmp_path: Path) -> None:
    path = tmp_path / "police" / "2024-05.csv"
    path.parent.mkdir()
    header = ["incident_date" if c == "event_date" else c for c in POLICE]
    path.write_text(",".join(header) + "\n" + ",".join(police_row("p1")) + "\n")
    [feed] = check_file(path, load_catalogue()).feeds
    assert feed.error and feed.unused == ["incident_date"]
    lines = check_file(path, load_catalogue()).lines()
    assert lines[-1].endswith("): incident_date")

"""Live progress as the README describes (issue 24 item 2): each file's line as it finishes,
each file once, a refusal naming its path once, a bar for counted work on a terminal and
plain lines elsewhere (cron mail); Prefect's run log keeps the stage and feed lines and the
refusals, not each file's line (issue 26)."""

from __future__ import annotations

import io
import logging
import re
from datetime import datetime
from pathlib import Path

import pytest

from data_contracts.ingest import ingest_feed, plan_inbox, record_unloaded
from data_contracts.log_records import file_line_extra, progress_extra
from data_contracts.warehouse import connect
from flows.environment import PipelineLinesForPrefect
from flows.progress import terminal_progress
from flows.run_summary import feed_line
from sample_data.generate import write_sample

TIMED = re.compile(r"^\[\s*[0-9.]+s\] ")
RUN_AT = datetime(2025, 10, 1, 2, 30)


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small council's inbox, one workbook in it broken (refused when read) and one file
    in a folder no feed owns (refused on sight)."""
    folder = tmp_path_factory.mktemp("progress") / "council"
    write_sample(folder, 15, 4)
    (folder / "inbox" / "eh_cases" / "broken.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    (folder / "inbox" / "mystery").mkdir()
    (folder / "inbox" / "mystery" / "extract.csv").write_text("a,b\n1,2\n")
    return folder / "inbox"


def _night(inbox: Path, warehouse: Path, terminal: bool) -> tuple[str, list[str], list[str]]:
    """Scan and load two feeds with the terminal's handler on a captured stream; what it
    printed, the feeds' files, and the lines as each file's report became final."""
    stream = io.StringIO()
    final: list[str] = []
    with terminal_progress(stream=stream, terminal=terminal), connect(warehouse) as con:
        plan = plan_inbox(con, inbox)
        record_unloaded(con, plan, RUN_AT)
        names = []
        for feed in ("eh_cases", "attendance"):
            names += [str(e.path) for e in plan.loading(feed)]
            ingest_feed(
                con, plan, feed, RUN_AT, on_report=lambda r: final.append(stream.getvalue())
            )
    return stream.getvalue(), names, final


def test_off_a_terminal_each_file_is_one_plain_line_as_it_finishes(
    inbox: Path, tmp_path: Path
) -> None:
    printed, names, final = _night(inbox, tmp_path / "w.duckdb", terminal=False)
    lines = printed.splitlines()
    assert all(TIMED.match(line) for line in lines), lines  # plain lines, no bar
    assert "━" not in printed and "\x1b" not in printed
    for name in names:  # each file once, printed by the time its report was final
        assert sum(f"] {name}: " in line for line in lines) == 1, name
    assert all(any(name in text for name in names) for text in final[1:])
    assert len(final) == len(names)
    # A file's line is printed before the next file's report: as it finishes, not per feed.
    for earlier, later in zip(final, final[1:], strict=False):
        assert len(later) > len(earlier)
    refusals = [line for line in lines if "REFUSED" in line]
    assert len(refusals) == 2, refusals  # the broken workbook, the unknown folder
    for line in refusals:
        path = line.split("] ", 1)[1].split(": REFUSED", 1)[0]
        assert line.count(Path(path).name) == 1, line  # its path named once


def test_on_a_terminal_counted_files_show_a_bar_and_each_file_once(
    inbox: Path, tmp_path: Path
) -> None:
    printed, names, _ = _night(inbox, tmp_path / "w.duckdb", terminal=True)
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", printed)
    assert "━" in plain  # rich's bar
    files = len([n for n in names if "/attendance/" in n])
    assert f"{files}/{files}" in plain  # the attendance files' bar, finished
    for name in names:
        assert plain.count(f"{name}: ") == 1, name


def test_counted_work_off_a_terminal_prints_at_each_tenth() -> None:
    stream = io.StringIO()
    log = logging.getLogger("indicators.progress_test")
    with terminal_progress(stream=stream, terminal=False):
        for done in range(1, 101):
            log.info("derived %d of 100", done, extra=progress_extra(done, 100, "models"))
    lines = stream.getvalue().splitlines()
    assert [line.split("] ")[1] for line in lines] == [
        f"derived {n} of 100" for n in (1, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100)
    ]


def test_a_second_count_of_the_same_work_prints_its_own_tenths() -> None:
    stream = io.StringIO()
    log = logging.getLogger("indicators.progress_test")
    with terminal_progress(stream=stream, terminal=False):
        for total in (20, 5):
            for done in range(1, total + 1):
                log.info("%d of %d", done, total, extra=progress_extra(done, total, "models"))
    lines = [line.split("] ")[1] for line in stream.getvalue().splitlines()]
    assert lines[-5:] == [f"{n} of 5" for n in range(1, 6)]
    assert lines[:-5] == [f"{n} of 20" for n in (1, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20)]


def test_counted_work_on_a_terminal_is_a_bar_not_lines() -> None:
    stream = io.StringIO()
    log = logging.getLogger("matching.progress_test")
    with terminal_progress(stream=stream, terminal=True):
        for done in range(1, 51):
            log.info("scored %d of 50", done, extra=progress_extra(done, 50, "blocks scored"))
        log.info("linkage cluster: done")
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", stream.getvalue())
    assert "scored 7 of 50" not in plain
    assert "blocks scored" in plain and "50/50" in plain
    assert "linkage cluster: done" in plain


def test_prefect_keeps_stage_feed_and_refusal_lines_not_each_file() -> None:
    keep = PipelineLinesForPrefect()

    def record(message: str, **extra: object) -> logging.LogRecord:
        made = logging.LogRecord(
            "data_contracts.ingest", logging.INFO, __file__, 1, message, (), None
        )
        made.__dict__.update(extra)
        return made

    assert keep.filter(record("stage 1/3: ingest"))
    assert keep.filter(record("eh_cases: loaded: 3 of 4 files"))
    assert not keep.filter(record("a.csv: loaded: 3 rows", **file_line_extra(False, 1, 4)))
    assert not keep.filter(record("b.csv: skipped: README", **file_line_extra(False)))
    assert keep.filter(record("c.xlsx: REFUSED: not a workbook", **file_line_extra(True, 2, 4)))
    assert not keep.filter(record("derived 3 of 9", **progress_extra(3, 9, "models")))


def test_a_feed_line_adds_up_its_files(inbox: Path, tmp_path: Path) -> None:
    with connect(tmp_path / "w.duckdb") as con:
        plan = plan_inbox(con, inbox)
        reports = ingest_feed(con, plan, "eh_cases", RUN_AT)
    loaded = [r for r in reports if r.status == "loaded"]
    assert feed_line("eh_cases", reports) == (
        f"eh_cases: loaded: {len(loaded)} of {len(reports)} files,"
        f" {sum(r.rows_in for r in loaded)} rows in = {sum(r.rows_staged for r in loaded)}"
        f" staged + {sum(r.rows_quarantined for r in loaded)} quarantined; 1 refused"
    )

"""What a run shows as it goes: a line per stage, per linkage step and per file on the
terminal, a bar for counted work on a terminal, and the same stage lines in Prefect.

The packages log through the standard library (`logging.getLogger(__name__)`), never
through Prefect or a console, so tests and bench scripts call them as plain functions.
The command line routes those loggers here: a terminal handler prints each INFO line with
the time since the command started. A line that counts work done (`progress_extra`,
data_contracts/log_records.py) moves a bar on a terminal and prints a line at each tenth
elsewhere (cron mail stays plain lines); a file's line (`file_line_extra`) is printed as
the file finishes, each file once, and moves its feed's bar on a terminal. Prefect's run
log gets the stage and summary lines, not the file lines and counts (flows/environment.py;
docs/operations.md says which). `--quiet` keeps the terminal to warnings and the final
summary; the run's log in Prefect is the same either way.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from data_contracts.log_records import FILE_LINE, PROGRESS, progress_extra

__all__ = ["PIPELINE_LOGGERS", "TerminalHandler", "progress_extra", "terminal_progress"]

PIPELINE_LOGGERS = ("data_contracts", "matching", "indicators", "claims", "flows")
"""The loggers of the pipeline's packages: what the terminal and the Prefect run show."""


class TerminalHandler(logging.Handler):
    """Each record as one line, `[  12.3s] message`; counted work as a bar on a terminal."""

    def __init__(
        self, stream: TextIO, started: float, level: int, terminal: bool | None = None
    ) -> None:
        super().__init__(level)
        self.started = started
        # `terminal` forces the choice (tests); otherwise rich asks the stream.
        self.console = Console(
            file=stream, highlight=False, soft_wrap=True, force_terminal=terminal
        )
        self.bar: Progress | None = None
        self.bar_task: TaskID | None = None
        self.bar_what = ""
        self.printed_tenth: dict[str, tuple[int, int, int]] = {}

    def emit(self, record: logging.LogRecord) -> None:
        try:
            counted = getattr(record, PROGRESS, None)
            a_file = bool(getattr(record, FILE_LINE, False))
            if counted is not None and self.console.is_terminal:
                if a_file:  # above the bar, which stays at the bottom
                    self._print(record)
                self._advance(*counted)
                return
            self._close_bar()
            if counted is not None and not a_file and not self._tenth_passed(*counted):
                return
            self._print(record)
        except Exception:  # a broken terminal must not stop the run
            self.handleError(record)

    def _print(self, record: logging.LogRecord) -> None:
        line = f"[{time.monotonic() - self.started:7.1f}s] {record.getMessage()}"
        self.console.print(line, markup=False)

    def _tenth_passed(self, done: int, total: int, what: str) -> bool:
        tenth = done * 10 // total if total else 10
        last = self.printed_tenth.get(what)
        fresh = last is None or last[1] != total or done < last[2]  # a new count of `what`
        if not fresh and done < total and last is not None and tenth <= last[0]:
            return False
        self.printed_tenth[what] = (tenth, total, done)
        return True

    def _advance(self, done: int, total: int, what: str) -> None:
        if self.bar is None or self.bar_what != what:
            self._close_bar()
            self.bar = Progress(
                TextColumn(f"[{time.monotonic() - self.started:7.1f}s] {what}", markup=False),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=self.console,
                transient=False,
            )
            self.bar.start()
            self.bar_task = self.bar.add_task(what, total=total)
            self.bar_what = what
        assert self.bar_task is not None
        self.bar.update(self.bar_task, completed=done, total=total)
        if done >= total:
            self._close_bar()

    def _close_bar(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None
            self.bar_what = ""

    def close(self) -> None:
        self._close_bar()
        super().close()


@contextmanager
def terminal_progress(
    quiet: bool = False, stream: TextIO | None = None, terminal: bool | None = None
) -> Iterator[None]:
    """Show the pipeline's log lines on the terminal for the length of one command.

    The loggers stay at INFO either way (Prefect's run log is the same); `quiet` only
    raises what the terminal prints to warnings; `terminal` forces a bar (True) or plain
    lines (False) whatever the stream is. The loggers' settings are put back after,
    so an in-process caller (a test) finds them as they were.
    """
    handler = TerminalHandler(
        stream or sys.stdout,
        time.monotonic(),
        logging.WARNING if quiet else logging.INFO,
        terminal,
    )
    saved = []
    for name in PIPELINE_LOGGERS:
        logger = logging.getLogger(name)
        saved.append((logger, logger.level, logger.propagate))
        logger.setLevel(logging.INFO)
        # Not to the root logger too: Prefect's console handler there would print each
        # line a second time in its own format.
        logger.propagate = False
        logger.addHandler(handler)
    try:
        yield
    finally:
        for logger, level, propagate in saved:
            logger.removeHandler(handler)
            logger.setLevel(level)
            logger.propagate = propagate
        handler.close()

"""What a run shows as it goes: one line per stage and per file on the terminal, the same
lines in the Prefect run's logs.

The packages log through the standard library (`logging.getLogger(__name__)`), never
through Prefect or a console, so tests and bench scripts call them as plain functions.
The command line routes those loggers here: a terminal handler prints each INFO line with
the time since the command started (a bar for a record that carries a `progress` count,
on a terminal), and Prefect's extra-logger setting sends the same records to the run's
log in its UI (flows/environment.py). `--quiet` keeps the terminal to warnings and the
final summary; the run's log in Prefect still has everything.
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

PIPELINE_LOGGERS = ("data_contracts", "matching", "indicators", "claims", "flows")
"""The loggers of the pipeline's packages: what the terminal and the Prefect run show."""

PROGRESS_STEP = 0.1
"""Off a terminal a counted stage prints a line each time it passes another tenth."""


def progress_extra(done: int, total: int, what: str) -> dict[str, object]:
    """`extra=` for a log record that counts work done (`logging` keeps it on the record)."""
    return {"progress": (done, total, what)}


class TerminalHandler(logging.Handler):
    """Each record as one line, `[  12.3s] message`; counted records as a bar on a terminal."""

    def __init__(self, stream: TextIO, started: float, level: int) -> None:
        super().__init__(level)
        self.started = started
        self.console = Console(file=stream, highlight=False, soft_wrap=True)
        self.bar: Progress | None = None
        self.bar_task: TaskID | None = None
        self.bar_what = ""
        self.printed_share: dict[str, float] = {}

    def emit(self, record: logging.LogRecord) -> None:
        try:
            counted = getattr(record, "progress", None)
            if counted is not None and self.console.is_terminal:
                self._advance(*counted)
                return
            self._close_bar()
            if counted is not None:
                done, total, what = counted
                share = done / total if total else 1.0
                if share < 1.0 and share - self.printed_share.get(what, -1.0) < PROGRESS_STEP:
                    return
                self.printed_share[what] = share
            self.console.print(f"[{time.monotonic() - self.started:7.1f}s] {record.getMessage()}")
        except Exception:  # a broken terminal must not stop the run
            self.handleError(record)

    def _advance(self, done: int, total: int, what: str) -> None:
        if self.bar is None or self.bar_what != what:
            self._close_bar()
            self.bar = Progress(
                TextColumn(f"[{time.monotonic() - self.started:7.1f}s] {what}"),
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
def terminal_progress(quiet: bool = False, stream: TextIO | None = None) -> Iterator[None]:
    """Show the pipeline's log lines on the terminal for the length of one command.

    The loggers stay at INFO either way (Prefect's run log gets every line); `quiet` only
    raises what the terminal prints to warnings. The loggers' settings are put back after,
    so an in-process caller (a test) finds them as they were.
    """
    handler = TerminalHandler(
        stream or sys.stdout, time.monotonic(), logging.WARNING if quiet else logging.INFO
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

"""What a pipeline log line may carry besides its text, for the command line to show it right.

The packages log through the standard library only (STYLE habit 3); these `extra=` dicts
let a line say that it counts work done (a bar on a terminal) or that it is one file's
line (on the terminal as the file finishes; in Prefect's run log only when the file was
refused, the feed's summary line standing for the rest: issue 26). It sits in the lowest
layer so that every package can mark its lines; flows/progress.py and flows/environment.py
read the marks.
"""

from __future__ import annotations

from typing import Any

PROGRESS = "progress"
"""Record attribute: `(done, total, what)` for counted work."""

FILE_LINE = "file_line"
"""Record attribute: True on one file's line (`BatchReport.line()`)."""

REFUSAL = "refusal"
"""Record attribute: True on a refused file's line, which Prefect's run log keeps too."""


def progress_extra(done: int, total: int, what: str) -> dict[str, Any]:
    """`extra=` for a line that counts work done: `done` of `total` `what`."""
    return {PROGRESS: (done, total, what)}


def file_line_extra(
    refused: bool, done: int | None = None, total: int = 0, what: str = "files"
) -> dict[str, Any]:
    """`extra=` for one file's line; with `done`, also `done` of `total` files finished."""
    extra: dict[str, Any] = {FILE_LINE: True, REFUSAL: refused}
    if done is not None:
        extra[PROGRESS] = (done, total, what)
    return extra

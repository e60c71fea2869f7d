"""What the demo says at its end: what it made, where to look, what to try next, and where
Prefect keeps the runs (issue 24 item 4). Every path it names exists (a test opens them)."""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path

from flows.demo import DemoResult
from flows.environment import prefect_server_url


def program() -> str:
    """How the user started `sfp` (`.venv/bin/sfp` from `make demo`), to repeat it."""
    started = sys.argv[0] if sys.argv else ""
    return started if Path(started).name == "sfp" else "sfp"


def prefect_lines(warehouse: Path) -> list[str]:
    """Where this run's Prefect records are and how to open them in Prefect's UI."""
    server = prefect_server_url()
    if server:
        ui = server.removesuffix("/").removesuffix("/api")
        return [f"Prefect: the runs are on the server at {server}; browse them at {ui}/runs"]
    home = Path(os.environ.get("PREFECT_HOME", warehouse.parent / ".prefect"))
    return [
        f"Prefect: no server was set, so the runs are kept in {home / 'prefect.db'}"
        " (Prefect's temporary server stopped with the demo). Browse them with",
        f"  PREFECT_HOME={home} .venv/bin/prefect server start",
        "  and open http://127.0.0.1:4200/runs (Ctrl-C stops it); docs/operations.md",
        "  says how a council keeps a server running so every run is there.",
    ]


def next_steps(result: DemoResult, warehouse: Path, as_of: date) -> list[str]:
    """The demo's closing lines: its outputs, the next commands, Prefect's runs."""
    sfp = program()
    nightly = result.nightly
    shown = [
        ("claim workbook", result.claim.workbook),
        ("claim report page (offline HTML)", result.claim.report_page),
        ("validation page (offline HTML)", nightly.validation_page),
        ("match-quality page (offline HTML)", nightly.quality_page),
        ("clerical review workbook (fill in, then review-import)", nightly.review_workbook),
        ("sample council and its truth", result.sample_dir),
    ]
    day = as_of.isoformat()
    lines = ["", "What the demo made (open these):"]
    lines += [f"  {label}: {path}" for label, path in shown if path is not None and path.exists()]
    lines += [
        "",
        "Try next:",
        f"  {sfp} worklist --as-of {day} --warehouse {warehouse}"
        "   # families to identify (names people)",
        f"  {sfp} forecast --as-of {day} --warehouse {warehouse}"
        f" --out {warehouse.parent / f'forecast-{day}.xlsx'}   # claims in the quarters ahead",
        f"  {sfp} review-import {nightly.review_workbook} --warehouse {warehouse}"
        "   # after filling in the review workbook",
        f"  {sfp} serve --inbox {result.sample_dir / 'inbox'} --warehouse {warehouse}"
        "   # the nightly on a schedule (needs a Prefect server: docs/operations.md)",
        "",
    ]
    return lines + prefect_lines(warehouse)

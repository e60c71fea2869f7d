"""Render time of the claim workbook (and the claim report page) on a sample council.

Usage: .venv/bin/python bench/bench_workbook.py [HOUSEHOLDS] [--keep DIR] [--repeat N]

Writes a sample council, loads and links it, decides every case once, then times only
what the workbook step does: building the sheets' content, rendering the xlsx bytes and,
when claims/report_page.py exists, the report page. With `--keep DIR` the loaded warehouse
is kept in DIR and reused on the next run (so before/after figures share the same data).
Prints the figures; nothing is asserted.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def loaded_warehouse(households: int, folder: Path) -> tuple[Path, date]:
    """A sample council after a nightly's plain functions, reused when already there."""
    from data_contracts.warehouse import connect
    from indicators.pipeline import NightlyOptions, run_nightly
    from indicators.plan import load_plan
    from sample_data.generate import write_sample

    warehouse = folder / "warehouse.duckdb"
    stamp = folder / "as_of.txt"
    if warehouse.exists() and stamp.exists():
        return warehouse, date.fromisoformat(stamp.read_text().strip())
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    summary = write_sample(folder / "council", households, 1)
    options = NightlyOptions(load_plan(), date.fromisoformat(str(summary["as_of"])))
    with connect(warehouse) as con:
        run_nightly(con, warehouse, folder / "council" / "inbox", options)
    stamp.write_text(str(summary["as_of"]))
    return warehouse, date.fromisoformat(str(summary["as_of"]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("households", type=int, nargs="?", default=5000)
    parser.add_argument("--keep", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from claims.decide import decide_cases
    from claims.submission import build_workbook_content
    from claims.workbook import render
    from data_contracts.warehouse import connect
    from indicators.plan import load_plan

    folder = args.keep or Path("/tmp") / f"bench-workbook-{args.households}"
    warehouse, as_of = loaded_warehouse(args.households, folder)
    plan = load_plan()
    with connect(warehouse) as con:
        decisions = decide_cases(con, plan, as_of)
        content_s, render_s, page_s = [], [], []
        data = b""
        for _ in range(args.repeat):
            began = time.perf_counter()
            content = build_workbook_content(con, plan, as_of, decisions)
            content_s.append(time.perf_counter() - began)
            began = time.perf_counter()
            data = render(content)
            render_s.append(time.perf_counter() - began)
            try:
                from claims.report_page import claim_page_html
            except ImportError:
                continue
            began = time.perf_counter()
            claim_page_html(con, plan, as_of, decisions, list(content.summary))
            page_s.append(time.perf_counter() - began)
    rows = sum(len(frame) for frame in (content.families, content.evidence, content.not_claimed))
    print(
        f"households {args.households}: {len(decisions)} cases, {rows} workbook rows, "
        f"{len(data) / 1e6:.2f} MB"
    )
    for label, times in (("content", content_s), ("render", render_s), ("page", page_s)):
        if times:
            print(
                f"{label:<8} median {statistics.median(times):.3f} s, "
                f"min {min(times):.3f} s over {len(times)} runs"
            )


if __name__ == "__main__":
    main()

"""Wall time and peak memory of each nightly stage, an incremental nightly, and a claim.

Usage: .venv/bin/python bench/bench_pipeline.py [HOUSEHOLDS ...]   (default: 5000)

For each size a fresh child process writes a sample council and splits its inbox in two:
night one is every file dated before the police feed's last month, night two is that
month's files (one new month of every feed that sends one). Night one runs the full
nightly (validate, link with training, derive); night two the incremental nightly the
data team runs every night after (only new batches validated, only new records scored,
indicators only for affected cases). Then a claim as of the sample's date.

Prints one line per stage: households, stage, seconds, and the process's peak RSS so far
(ru_maxrss), so "peak MiB" on a total line is the peak of everything before it.
"""

from __future__ import annotations

import json
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from child_runs import run_children  # bench/ is the script's own folder on sys.path

ROOT = Path(__file__).resolve().parents[1]


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(households: int) -> list[dict[str, object]]:
    """Run every stage once on a fresh sample; return one record per stage."""
    sys.path.insert(0, str(ROOT))
    from claims.submission import run_claim
    from data_contracts.ingest import ingest_inbox
    from data_contracts.warehouse import connect
    from indicators.plan import load_plan
    from indicators.runner import derive_indicators
    from matching.link import LinkOptions, link_warehouse_run
    from sample_data.generate import write_sample
    from sample_data.nights import split_last_month

    plan = load_plan()
    options = LinkOptions.from_plan(plan.matching)
    records: list[dict[str, object]] = []

    def timed(stage: str, action: Callable[[], object], started: float | None = None) -> None:
        began = time.perf_counter() if started is None else started
        action()
        records.append(
            {
                "households": households,
                "stage": stage,
                "seconds": round(time.perf_counter() - began, 2),
                "peak_mib": round(peak_mib()),
            }
        )

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        summary: dict[str, object] = {}
        timed("sample", lambda: summary.update(write_sample(folder, households, 1)))
        as_of = date.fromisoformat(str(summary["as_of"]))
        night_one, night_two = folder / "night1", folder / "night2"
        first_as_of = split_last_month(folder / "inbox", night_one, night_two)
        models = folder / "models"
        with connect(folder / "w.duckdb") as con:
            night = time.perf_counter()
            timed("full: ingest", lambda: ingest_inbox(con, night_one))
            timed(
                "full: link",
                lambda: link_warehouse_run(con, options.threshold, models, options),
            )
            timed("full: derive", lambda: derive_indicators(con, plan, first_as_of))
            timed("full nightly", lambda: None, night)
            night = time.perf_counter()
            timed("incr: ingest", lambda: ingest_inbox(con, night_two))
            timed(
                "incr: link",
                lambda: link_warehouse_run(con, options.threshold, models, options),
            )
            timed(
                "incr: derive",
                lambda: derive_indicators(con, plan, as_of, incremental=True),
            )
            timed("incr nightly", lambda: None, night)
            timed("claim", lambda: run_claim(con, plan, as_of, folder / "claim.xlsx"))
    return records


def main(sizes: list[int]) -> None:
    run_children(
        __file__,
        sizes,
        f"{'households':>10}  {'stage':<14} {'seconds':>8}  {'peak MiB':>8}",
        lambda r: f"{r['households']:>10}  {r['stage']:<14} {r['seconds']:>8}  {r['peak_mib']:>8}",
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(measure(int(sys.argv[2]))))
    else:
        main([int(a) for a in sys.argv[1:]] or [5000])

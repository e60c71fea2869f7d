"""Wall time and peak memory of each nightly stage, an incremental nightly, and a claim.

Usage: .venv/bin/python bench/bench_pipeline.py [HOUSEHOLDS ...]   (default: 5000)

For each size a fresh child process writes a sample council and splits its inbox in two:
night one is every file dated before the police feed's last month, night two is that
month's files (one new month of every feed that sends one). Night one runs the full
nightly (validate, link with training, derive); night two the incremental nightly the
data team runs every night after (only new batches validated, only new records scored,
indicators only for affected cases). Then a claim as of the sample's date.

Each night is the nightly's one pipeline function (indicators/pipeline.py), whose stage
timings give a line per stage. Prints households, stage, seconds, and the process's peak RSS
so far (ru_maxrss) taken when the line's night or claim ended, so "peak MiB" on a night's
lines is the peak of that night and everything before it.
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
    from data_contracts.warehouse import connect
    from indicators.pipeline import NightlyOptions, NightlyResult, run_nightly
    from indicators.plan import load_plan
    from sample_data.generate import write_sample
    from sample_data.nights import split_last_month

    plan = load_plan()
    records: list[dict[str, object]] = []

    def record(stage: str, seconds: float) -> None:
        records.append(
            {
                "households": households,
                "stage": stage,
                "seconds": round(seconds, 2),
                "peak_mib": round(peak_mib()),
            }
        )

    def timed(stage: str, action: Callable[[], object]) -> None:
        began = time.perf_counter()
        action()
        record(stage, time.perf_counter() - began)

    def night(label: str, inbox: Path, as_of: date) -> None:
        """The nightly's pipeline function: a line per stage, then the whole night."""
        began = time.perf_counter()
        result: NightlyResult = run_nightly(con, warehouse, inbox, NightlyOptions(plan, as_of))
        seconds = time.perf_counter() - began
        for stage, stage_seconds in result.stage_seconds.items():
            record(f"{label}: {stage}", stage_seconds)
        record(f"{label} nightly", seconds)

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        summary: dict[str, object] = {}
        timed("sample", lambda: summary.update(write_sample(folder, households, 1)))
        as_of = date.fromisoformat(str(summary["as_of"]))
        night_one, night_two = folder / "night1", folder / "night2"
        first_as_of = split_last_month(folder / "inbox", night_one, night_two)
        warehouse = folder / "w.duckdb"
        with connect(warehouse) as con:
            night("full", night_one, first_as_of)
            night("incr", night_two, as_of)
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

"""Wall time and peak memory of each nightly stage and of a claim, per council size.

Usage: .venv/bin/python bench/bench_pipeline.py [HOUSEHOLDS ...]   (default: 5000)

Each size runs in a fresh child process so peak memory (ru_maxrss) is that size's alone.
Prints one line per stage: households, stage, seconds, peak RSS of the process so far.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

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
    from matching.link import link_warehouse
    from sample_data.generate import write_sample

    plan = load_plan()
    as_of = date(2025, 9, 30)
    records: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)

        def timed(stage: str, action) -> None:  # noqa: ANN001
            started = time.perf_counter()
            action()
            records.append(
                {
                    "households": households,
                    "stage": stage,
                    "seconds": round(time.perf_counter() - started, 2),
                    "peak_mib": round(peak_mib()),
                }
            )

        timed("sample", lambda: write_sample(folder, households, 1))
        with connect(folder / "w.duckdb") as con:
            night = time.perf_counter()
            timed("ingest", lambda: ingest_inbox(con, folder / "inbox"))
            timed("link", lambda: link_warehouse(con, plan.matching["link_threshold"]))
            timed("derive", lambda: derive_indicators(con, plan, as_of))
            records.append(
                {
                    "households": households,
                    "stage": "nightly total",
                    "seconds": round(time.perf_counter() - night, 2),
                    "peak_mib": round(peak_mib()),
                }
            )
            timed("claim", lambda: run_claim(con, plan, as_of, folder / "claim.xlsx"))
    return records


def main(sizes: list[int]) -> None:
    print(f"{'households':>10}  {'stage':<14} {'seconds':>8}  {'peak MiB':>8}")
    for households in sizes:
        child = subprocess.run(
            [sys.executable, __file__, "--child", str(households)],
            capture_output=True,
            text=True,
            check=True,
        )
        for record in json.loads(child.stdout.splitlines()[-1]):
            print(
                f"{record['households']:>10}  {record['stage']:<14} {record['seconds']:>8}"
                f"  {record['peak_mib']:>8}"
            )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(measure(int(sys.argv[2]))))
    else:
        main([int(a) for a in sys.argv[1:]] or [5000])

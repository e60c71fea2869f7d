"""Time derive_indicators on a large synthetic council (target: 50,000 households < 2 min).

    .venv/bin/python bench/bench_indicators.py [--households 50000] [--seed 11] [--dir DIR]

Generates the sample with sample_data.generate.write_sample, ingests and links it once
(timed apart), then times derive_indicators for the sample's as-of date and prints the
figures and table sizes. With --dir an existing warehouse there is reused.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from data_contracts.ingest import ingest_inbox  # noqa: E402
from data_contracts.warehouse import connect, scalar  # noqa: E402
from indicators.plan import load_plan  # noqa: E402
from indicators.runner import derive_indicators  # noqa: E402
from matching.link import link_warehouse  # noqa: E402
from sample_data.generate import write_sample  # noqa: E402

TARGET_SECONDS = 120


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    folder = args.dir or Path(tempfile.mkdtemp(prefix="bench_indicators_"))
    warehouse = folder / "warehouse.duckdb"
    plan = load_plan()
    as_of = date(2025, 9, 30)
    if not warehouse.exists():
        started = time.perf_counter()
        summary = write_sample(folder, args.households, args.seed)
        as_of = date.fromisoformat(str(summary["as_of"]))
        print(
            f"sample: {args.households} households written in {time.perf_counter() - started:.1f} s"
        )
        with connect(warehouse) as con:
            started = time.perf_counter()
            ingest_inbox(con, folder / "inbox")
            print(f"ingest: {time.perf_counter() - started:.1f} s")
            started = time.perf_counter()
            link_warehouse(con, plan.matching["link_threshold"])
            print(f"link: {time.perf_counter() - started:.1f} s")
    with connect(warehouse) as con:
        staged = scalar(con, "select sum(rows_staged) from load_batch")
        print(f"warehouse: {warehouse} ({staged} staged rows)")
        started = time.perf_counter()
        derive_indicators(con, plan, as_of)
        seconds = time.perf_counter() - started
        for table in (
            "case_current",
            "family_member",
            "family_need",
            "family_need_outcome",
            "family_criterion_status",
            "measure_police_month",
            "measure_dwp_month",
        ):
            print(f"  {table}: {scalar(con, f'select count(*) from {table}')} rows")
    verdict = "meets" if seconds < TARGET_SECONDS else "MISSES"
    print(
        f"derive_indicators: {seconds:.1f} s for {args.households} households "
        f"({verdict} the {TARGET_SECONDS} s target)"
    )


if __name__ == "__main__":
    main()

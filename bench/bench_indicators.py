"""Time derive_indicators on a large synthetic council (target: 50,000 households < 2 min).

    .venv/bin/python bench/bench_indicators.py [--households 50000] [--seed 11] [--dir DIR]
    .venv/bin/python bench/bench_indicators.py --incremental [--households 50000]

Generates the sample with sample_data.generate.write_sample, runs the nightly's pipeline
function on it once (each stage timed), then times derive_indicators for the sample's as-of
date and prints the figures and table sizes. With --dir an existing warehouse there is reused.

With --incremental it replays two nightlies: the inbox without the as-of month's files,
derived in full at the end of the month before; then the whole inbox, derived incrementally
at the as-of date (timed). A copy of that warehouse is derived in full at the same date
(timed, every table checked equal), with each model's time in the full derive.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from data_contracts.warehouse import connect, scalar  # noqa: E402
from indicators.pipeline import NightlyOptions, run_nightly  # noqa: E402
from indicators.plan import load_plan  # noqa: E402
from indicators.runner import (  # noqa: E402
    INDICATOR_MODELS,
    SQL_DIR,
    derive_indicators,
    model_parameters,
    run_model,
    write_plan_tables,
)
from sample_data.generate import write_sample  # noqa: E402
from sample_data.split import copy_without_latest  # noqa: E402

TARGET_SECONDS = 120


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--incremental", action="store_true")
    args = parser.parse_args()
    if args.incremental:
        incremental(args.households, args.seed)
        return
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
            night = run_nightly(con, warehouse, folder / "inbox", NightlyOptions(plan, as_of))
        for stage, stage_seconds in night.stage_seconds.items():
            print(f"nightly {stage}: {stage_seconds:.1f} s")
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


def timed(label: str, action: object) -> float:
    started = time.perf_counter()
    action()  # type: ignore[operator]
    seconds = time.perf_counter() - started
    print(f"{label}: {seconds:.1f} s")
    return seconds


def incremental(households: int, seed: int) -> None:
    """Full against incremental derive after one new month (see the module docstring)."""
    folder = Path(tempfile.mkdtemp(prefix="bench_incremental_"))
    plan = load_plan()
    summary = write_sample(folder, households, seed)
    as_of = date.fromisoformat(str(summary["as_of"]))
    before = as_of.replace(day=1) - timedelta(days=1)
    held = copy_without_latest(folder / "inbox", folder / "first", f"{as_of:%Y-%m}")
    print(f"sample: {households} households; {len(held)} files held back for {as_of:%Y-%m}")
    # The nightly without the last month (derived in full at `before`), then the nightly
    # that brings it (derived incrementally at the as-of date); a copy is derived in full.
    incr, full = folder / "incremental.duckdb", folder / "full.duckdb"
    with connect(incr) as con:
        first = run_nightly(con, incr, folder / "first", NightlyOptions(plan, before))
        for stage, stage_seconds in first.stage_seconds.items():
            print(f"nightly without the last month, {stage}: {stage_seconds:.1f} s")
        second = run_nightly(con, incr, folder / "inbox", NightlyOptions(plan, as_of))
        for stage, stage_seconds in second.stage_seconds.items():
            print(f"nightly bringing the last month, {stage}: {stage_seconds:.1f} s")
        seconds_incr = second.stage_seconds["derive"]
        print(f"incremental derive at {as_of}: {seconds_incr:.1f} s ({second.derive_mode})")
    shutil.copyfile(incr, full)
    with connect(incr) as con:
        run = con.execute(
            "select mode, persons_recomputed, cases_recomputed, cases_total from derive_run "
            "order by derive_seq desc limit 1"
        ).fetchall()[0]
    print(f"  mode {run[0]}: {run[1]} people and {run[2]} of {run[3]} cases recomputed")
    with connect(full) as con:
        seconds_full = timed(f"full derive at {as_of}", lambda: derive_indicators(con, plan, as_of))
        print("slowest models in a full derive at the as-of date:")
        profile(con, plan, as_of)
    with connect(incr) as con:
        con.execute(f"attach '{full}' as full_derive (read_only)")
        differing = [
            name
            for name in INDICATOR_MODELS
            if scalar(
                con,
                f"select count(*) from ((select * from {name} except all "
                f"select * from full_derive.main.{name}) union all "
                f"(select * from full_derive.main.{name} except all select * from {name}))",
            )
        ]
    print(f"tables differing from the full derive: {differing or 'none'}")
    print(
        f"derive at {households} households after one new month: full {seconds_full:.1f} s, "
        f"incremental {seconds_incr:.1f} s"
    )


def profile(con: object, plan: object, as_of: date) -> None:
    """A full derive model by model, printing the slowest models' times."""
    write_plan_tables(con, plan)  # type: ignore[arg-type]
    parameters = model_parameters(plan, as_of)  # type: ignore[arg-type]
    times = []
    for name in INDICATOR_MODELS:
        started = time.perf_counter()
        run_model(con, SQL_DIR / f"{name}.sql", parameters)  # type: ignore[arg-type]
        times.append((time.perf_counter() - started, name))
    for seconds, name in sorted(times, reverse=True)[:8]:
        print(f"  {name}: {seconds:.2f} s")


if __name__ == "__main__":
    main()

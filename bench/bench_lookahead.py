"""Time the worklist and the forecast on sample councils; print the worklist's precision and
recall against the planted families (target: each under 30 s at 50,000 households).

    .venv/bin/python bench/bench_lookahead.py [2000 50000] [--seed 11] [--dir DIR]

For each size: writes the sample, ingests, links and imports its historic claims (timed
apart), then decides every case as of the sample's date as a claim run does (so the
indicator tables are those of a warehouse in use). Then, each timed on the library
functions the flows call (no Prefect start-up): the worklist as of the sample's date
(derive incremental, list, write both workbooks) and again as of a month earlier (the
derive has more to redo), and the forecast as of the sample's date and as of its quarter's
first day (full derive and claim decision included, workbook written). With --dir DIR,
DIR/<households> is reused when it already holds a warehouse.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from claims.decide import decide_cases  # noqa: E402
from claims.forecast import run_forecast  # noqa: E402
from claims.historic import import_historic_claims  # noqa: E402
from claims.worklist import build_worklist  # noqa: E402
from claims.worklist_workbook import worklist_files, write_worklist  # noqa: E402
from data_contracts.warehouse import connect  # noqa: E402
from indicators.pipeline import NightlyOptions, run_nightly  # noqa: E402
from indicators.plan import load_plan  # noqa: E402
from sample_data.generate import summary_of, write_sample  # noqa: E402
from sample_data.worklist_truth import planted_listed, precision_recall  # noqa: E402

TARGET_SECONDS = 30


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def prepare(folder: Path, households: int, seed: int) -> date:
    warehouse = folder / "warehouse.duckdb"
    plan = load_plan()
    if warehouse.exists():
        return date.fromisoformat(str(summary_of(folder)["as_of"]))
    started = time.perf_counter()
    summary = write_sample(folder, households, seed)
    as_of = date.fromisoformat(str(summary["as_of"]))
    with connect(warehouse) as con:
        run_nightly(con, warehouse, folder / "inbox", NightlyOptions(plan, as_of))
        threshold = plan.matching["link_threshold"]
        import_historic_claims(con, folder / "historic_claims.csv", threshold)
        decide_cases(con, plan, as_of)
    print(f"  sample, ingest, link, claim decision: {time.perf_counter() - started:.1f} s")
    return as_of


def bench_size(folder: Path, households: int, seed: int) -> None:
    print(f"{households} households ({folder})")
    as_of = prepare(folder, households, seed)
    plan = load_plan()
    out = folder / "out"
    with connect(folder / "warehouse.duckdb") as con:
        for day in (as_of, date(as_of.year, as_of.month, 1) - timedelta(days=1)):
            started = time.perf_counter()
            worklist = build_worklist(con, plan, day)
            files = write_worklist(
                worklist, worklist_files(out / "personal" / f"worklist-{day}.xlsx", None, day)
            )
            seconds = time.perf_counter() - started
            print(
                f"  worklist as of {day}: {seconds:.1f} s (target < {TARGET_SECONDS} s); "
                f"{len(worklist.families)} of {worklist.eligible_families} eligible families "
                f"listed; {files.personal.stat().st_size / 1e6:.1f} MB + "
                f"{files.counts.stat().st_size / 1e6:.1f} MB"
            )
            if day == as_of:
                planted = planted_listed(con, folder, worklist.members["person_id"])
                precision, recall = precision_recall(planted)
                wrong = planted[planted["got"] != (planted["listed"] == "yes")]
                print(
                    f"  planted worklist families and look-alikes: precision {precision:.4f}, "
                    f"recall {recall:.4f} ({int(planted['got'].sum())} listed of "
                    f"{len(planted)} planted households; {len(wrong)} wrong)"
                )
        for day in (as_of, date(as_of.year, as_of.month - (as_of.month - 1) % 3, 1)):
            started = time.perf_counter()
            result = run_forecast(con, plan, day, out / f"forecast-{day}.xlsx")
            seconds = time.perf_counter() - started
            quarters = result.forecast.quarters
            expected = quarters["families expected to become claimable"].tolist()
            print(
                f"  forecast as of {day}: {seconds:.1f} s (target < {TARGET_SECONDS} s); "
                f"{len(result.forecast.cases)} cases; families expected per quarter "
                f"{dict(zip(quarters['quarter'], expected, strict=True))}"
            )
    print(f"  peak RSS so far: {peak_mib():,.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("households", type=int, nargs="*", default=[2000, 50_000])
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    root = args.dir or Path(tempfile.mkdtemp(prefix="bench_lookahead_"))
    for households in args.households:
        bench_size(root / str(households), households, args.seed)


if __name__ == "__main__":
    main()

"""How much time validation adds to a nightly run, and its share of the run.

Writes a sample council (default 50,000 households), then runs the nightly's plain
functions (ingest, link, derive) on a fresh warehouse, timing:

- validation: every `validate_batches` call (parsing text to types plus the feed's Great
  Expectations suite run), an upper bound on what validation adds, since staging would
  need the parsed types anyway;
- of which the Great Expectations suite runs alone (`Batch.validate`);
- the whole nightly (ingest + link + derive).

Target (issue 4): validation under a third of the nightly run.

    .venv/bin/python bench/bench_validation.py [--households 50000] [--seed 1] [--dir DIR]
        [--keep-sample]
"""

from __future__ import annotations

import argparse
import functools
import json
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import data_contracts.ingest as ingest_module
from data_contracts.warehouse import connect, scalar
from indicators.pipeline import NightlyOptions, run_nightly
from indicators.plan import load_plan
from sample_data.generate import write_sample

SPENT: dict[str, float] = {"validate_batch": 0.0, "gx_suite_runs": 0.0}


def timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            SPENT[name] += time.perf_counter() - start

    return wrapper


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument(
        "--keep-sample",
        action="store_true",
        help="reuse DIR/sample if a previous run wrote it (same households and seed)",
    )
    args = parser.parse_args()
    folder = args.dir or Path(tempfile.mkdtemp(prefix="bench-validation-"))

    from great_expectations.datasource.fluent.interfaces import Batch

    Batch.validate = timed("gx_suite_runs", Batch.validate)  # type: ignore[method-assign]
    ingest_module.validate_batches = timed("validate_batch", ingest_module.validate_batches)

    start = time.perf_counter()
    scenario = folder / "sample" / "truth" / "scenario.json"
    if args.keep_sample and scenario.exists():
        summary = json.loads(scenario.read_text())
        if (summary["households"], summary["seed"]) != (args.households, args.seed):
            raise SystemExit(f"{scenario}: a different sample; drop --keep-sample")
        print(f"sample: reusing {args.households} households in {folder / 'sample'}")
    else:
        summary = write_sample(folder / "sample", args.households, args.seed)
        print(
            f"sample: {args.households} households written in {time.perf_counter() - start:.1f} s"
        )
    as_of = date.fromisoformat(str(summary["as_of"]))
    plan = load_plan()
    warehouse = folder / "warehouse.duckdb"
    warehouse.unlink(missing_ok=True)
    with connect(warehouse) as con:
        night = run_nightly(
            con, warehouse, folder / "sample" / "inbox", NightlyOptions(plan, as_of)
        )
        quarantined = scalar(con, "select count(*) from quarantine_row")
    reports = night.batches
    ingest_s, link_s, derive_s = (night.stage_seconds[s] for s in ("ingest", "link", "derive"))
    rows = sum(r.rows_in for r in reports)
    total = ingest_s + link_s + derive_s
    validation = SPENT["validate_batch"]
    print(f"files: {len(reports)}; rows in: {rows}; quarantine lines: {quarantined}")
    print(
        f"ingest {ingest_s:.1f} s, link {link_s:.1f} s, derive {derive_s:.1f} s; "
        f"nightly total {total:.1f} s"
    )
    print(
        f"validation (parse + suite runs): {validation:.1f} s = {validation / total:.1%} "
        f"of the nightly run (target under 33.3%)"
    )
    print(
        f"  of which Great Expectations suite runs: {SPENT['gx_suite_runs']:.1f} s = "
        f"{SPENT['gx_suite_runs'] / total:.1%}"
    )
    print("target met" if validation / total < 1 / 3 else "TARGET NOT MET")


if __name__ == "__main__":
    main()

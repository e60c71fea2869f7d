"""Time a claim with --submit and the re-run of that period on a sample council.

Usage: .venv/bin/python bench/claim_rerun.py [households] [seed]
Prints the figures; nothing is asserted (targets are read by people, not unit tests).
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from claims.rerun import rerun_period
from claims.submission import run_claim
from data_contracts.warehouse import connect
from indicators.pipeline import NightlyOptions, run_nightly
from indicators.plan import load_plan
from sample_data.generate import write_sample


def main(households: int, seed: int) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        summary = write_sample(folder / "council", households, seed)
        as_of = date.fromisoformat(str(summary["as_of"]))
        warehouse = folder / "w.duckdb"
        plan = load_plan()
        with connect(warehouse) as con:
            run_nightly(con, warehouse, folder / "council" / "inbox", NightlyOptions(plan, as_of))
            start = time.perf_counter()
            claim = run_claim(con, plan, as_of, folder / "claim.xlsx", submit=True)
            claim_s = time.perf_counter() - start
        start = time.perf_counter()
        rerun = rerun_period(warehouse, as_of)
        rerun_s = time.perf_counter() - start
        print(
            f"households: {households}, cases: {claim.cases}, claimed: {claim.claimed} "
            f"(the sample's truth expects {summary['expected_claims']})"
        )
        print(f"warehouse: {warehouse.stat().st_size / 1e6:.1f} MB")
        print(f"claim --submit (derive + decide + workbook + ledger): {claim_s:.2f} s")
        print(f"rerun (copy + restore + derive + decide + compare): {rerun_s:.2f} s")
        print(f"rerun identical to submission: {rerun.identical}")


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 300, int(sys.argv[2]) if len(sys.argv) > 2 else 1
    )

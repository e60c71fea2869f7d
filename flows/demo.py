"""The demo flow: a sample council, its nightly run and its claim, start to finish."""

import csv
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from prefect import flow

from claims.submission import ClaimResult
from flows.claim import claim_flow, import_claims_flow
from flows.nightly import NightlyResult, nightly_flow
from flows.sample import sample_flow
from indicators.plan import load_plan
from sample_data.coverage import built_requirements, is_covered


@dataclass(frozen=True)
class DemoResult:
    sample_dir: Path
    nightly: NightlyResult
    claim: ClaimResult
    expected_claims: int
    expected_claims_covered: int
    """Expected claims among the cases whose `requires` this release builds."""


@flow(name="demo")
def demo_flow(
    folder: Path,
    warehouse: Path,
    households: int = 300,
    seed: int = 1,
    plan_file: Path | None = None,
) -> DemoResult:
    sample_dir = folder / "sample"
    summary = sample_flow(sample_dir, households, seed)
    as_of = date.fromisoformat(str(summary["as_of"]))
    nightly = nightly_flow(sample_dir / "inbox", warehouse, plan_file, as_of)
    historic = sample_dir / "historic_claims.csv"
    if historic.exists():
        # The sample council's claims from before this system, as a moving council has.
        import_claims_flow(historic, warehouse, plan_file)
    out = folder / f"claim-{as_of.isoformat()}.xlsx"
    claim = claim_flow(as_of, warehouse, out, plan_file)
    truth = sample_dir / "truth" / "expected_decisions.csv"
    built = built_requirements(load_plan(plan_file))
    with truth.open(newline="", encoding="utf-8") as handle:
        claims = [row for row in csv.DictReader(handle) if row["expected_claim"] == "yes"]
    covered = sum(is_covered(row["requires"], built) for row in claims)
    (folder / "demo-summary.json").write_text(
        json.dumps({"workbook": str(out), "claimed": claim.claimed, "cases": claim.cases}, indent=2)
    )
    return DemoResult(sample_dir, nightly, claim, len(claims), covered)

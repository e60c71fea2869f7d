"""The demo flow: a sample council, its nightly run and its claim, start to finish."""

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from prefect import flow

from claims.submission import ClaimResult
from data_contracts.warehouse import connect
from flows.claim import claim_flow, import_claims_flow
from flows.nightly import NightlyResult, nightly_flow
from flows.sample import sample_flow
from sample_data.coverage import decisions_matching_truth, expected_claims


@dataclass(frozen=True)
class DemoResult:
    sample_dir: Path
    nightly: NightlyResult
    claim: ClaimResult
    expected_claims: int
    matching_truth: tuple[int, int]
    """Cases decided as the sample's truth expects (claim and every failed gate), of all."""
    as_of: date
    """The date the demo claimed as of: the sample's last day of data."""


@flow(name="demo")
def demo_flow(
    folder: Path,
    warehouse: Path,
    households: int = 300,
    seed: int = 1,
    plan_file: Path | None = None,
    shape: str = "spec",
) -> DemoResult:
    sample_dir = folder / "sample"
    summary = sample_flow(sample_dir, households, seed, shape=shape)
    as_of = date.fromisoformat(str(summary["as_of"]))
    nightly = nightly_flow(sample_dir / "inbox", warehouse, plan_file, as_of)
    historic = sample_dir / "historic_claims.csv"
    if historic.exists():
        # The sample council's claims from before this system, as a moving council has.
        import_claims_flow(historic, warehouse, plan_file)
    out = folder / f"claim-{as_of.isoformat()}.xlsx"
    claim = claim_flow(as_of, warehouse, out, plan_file)
    truth = sample_dir / "truth" / "expected_decisions.csv"
    with connect(warehouse, read_only=True) as con:
        matching = decisions_matching_truth(con, truth)
    (folder / "demo-summary.json").write_text(
        json.dumps({"workbook": str(out), "claimed": claim.claimed, "cases": claim.cases}, indent=2)
    )
    assert isinstance(nightly, NightlyResult)  # the sample's files all load
    return DemoResult(sample_dir, nightly, claim, expected_claims(truth), matching, as_of)

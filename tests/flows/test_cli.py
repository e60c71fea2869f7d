"""The command line end to end: real Prefect flows, a real warehouse, a real workbook."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from data_contracts.warehouse import connect
from indicators.plan import load_plan
from sample_data.coverage import built_requirements, gates_built, is_covered
from tests.cli_runner import Ran, run_sfp


@pytest.mark.slow
def test_sample_nightly_claim_through_the_cli(tmp_path: Path, sfp: Callable[..., Ran]) -> None:
    run_sfp = sfp
    sample = run_sfp(
        "sample", "--out", "council", "--households", "60", "--seed", "2", cwd=tmp_path
    )
    assert sample.returncode == 0, sample.stderr
    nightly = run_sfp(
        "nightly", "--inbox", "council/inbox", "--warehouse", "w.duckdb", cwd=tmp_path
    )
    assert nightly.returncode == 0, nightly.stderr
    # Every file loads; the only quarantined rows are the sample's planted duplicates.
    totals = re.search(
        r"(\d+) files loaded: (\d+) rows in = (\d+) staged \+ (\d+) quarantined; 0 refused",
        nightly.stdout,
    )
    assert totals, nightly.stdout
    rows_in, staged, quarantined = (int(totals.group(i)) for i in (2, 3, 4))
    assert rows_in == staged + quarantined and quarantined < rows_in / 50
    [page_line] = [
        line for line in nightly.stdout.splitlines() if line.startswith("validation report")
    ]
    page = tmp_path / page_line.split(": ", 1)[1]
    assert page.parent == tmp_path / "w-reports" and page.exists()
    assert "Reconciliation per batch" in page.read_text()
    people = re.search(r"linked (\d+) people \(full\)", nightly.stdout)
    assert people, nightly.stdout
    # The next night, with nothing new, scores nothing again and finds the same people.
    again = run_sfp("nightly", "--inbox", "council/inbox", "--warehouse", "w.duckdb", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert f"linked {people.group(1)} people (incremental)" in again.stdout, again.stdout
    if (tmp_path / "council" / "historic_claims.csv").exists():
        imported = run_sfp(
            "import-claims", "--file", "council/historic_claims.csv", "--warehouse", "w.duckdb",
            cwd=tmp_path,
        )  # fmt: skip
        assert imported.returncode == 0, imported.stderr
    claim = run_sfp(
        "claim",
        "--as-of",
        "2025-09-30",
        "--warehouse",
        "w.duckdb",
        "--out",
        "claim.xlsx",
        cwd=tmp_path,
    )
    assert claim.returncode == 0, claim.stderr
    assert "workbook: claim.xlsx" in claim.stdout
    assert "claim report page (offline HTML): claim-report.html" in claim.stdout
    assert (tmp_path / "claim-report.html").exists()

    # Every case whose `requires` the pipeline builds is compared (sample_data/coverage.py):
    # the gates the claim evaluated (6 and 7 included) and every criterion the plan derives.
    with connect(tmp_path / "w.duckdb", read_only=True) as con:
        built = built_requirements(load_plan(), gates_built(con))
    with (tmp_path / "council" / "truth" / "expected_decisions.csv").open(newline="") as handle:
        truth = [r for r in csv.DictReader(handle) if is_covered(r["requires"], built)]
    covered = {r["case_id"] for r in truth}
    expected = {r["case_id"] for r in truth if r["expected_claim"] == "yes"}
    sheet = openpyxl.load_workbook(tmp_path / "claim.xlsx")["Families"]
    header = [c.value for c in sheet[1]]
    claimed = {row[header.index("case_id")] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert claimed & covered == expected
    assert len(covered) >= 30
    assert len(claimed) >= 5


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["claim", "--as-of", "30/09/2025"], "expected a date as YYYY-MM-DD"),
        (
            ["claim", "--as-of", "2025-09-30", "--warehouse", "missing.duckdb"],
            "missing.duckdb: warehouse not found",
        ),
        (["nightly", "--inbox", "nowhere"], "nowhere: inbox folder not found"),
        (["nightly", "--inbox", ".", "--engine", "gpu"], "invalid choice: 'gpu'"),
        (["sample", "--out", "x", "--households", "0"], "expected at least 1"),
        (["sample", "--out", "x", "--typo-rate", "1.5"], "expected a number from 0 to 1"),
        (["sample", "--out", "x", "--noise-scale", "-1"], "expected a number >= 0"),
        (
            ["claim", "--as-of", "2025-09-30", "--plan", "no-plan.yaml"],
            "no-plan.yaml: plan file not found",
        ),
    ],
)
def test_user_mistakes_are_one_line_without_a_traceback(
    tmp_path: Path, args: list[str], message: str
) -> None:
    result = run_sfp(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_noise_options_override_then_scale() -> None:
    from flows.arguments import noise_from_args
    from flows.cli import build_parser

    args = build_parser().parse_args(
        ["sample", "--out", "x", "--nickname-rate", "0.2", "--noise-scale", "0.5"]
    )
    rates = noise_from_args(args)
    assert rates.nickname == 0.1
    assert rates.typo == 0.015
    assert noise_from_args(build_parser().parse_args(["sample", "--out", "x"])).typo == 0.03

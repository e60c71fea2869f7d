"""`sfp import-claims` and `sfp rerun` end to end: real Prefect flows on a real warehouse."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest

from claims.historic import HISTORIC_COLUMNS
from claims.submission import run_claim
from data_contracts.warehouse import connect
from indicators.plan import load_plan
from tests.cli_runner import Ran, run_sfp
from tests.councils import SAMPLE, council_copy


@pytest.mark.slow
def test_import_claims_then_rerun_a_submitted_period(
    tmp_path: Path, sfp: Callable[..., Ran]
) -> None:
    run_sfp = sfp
    council = council_copy(SAMPLE, tmp_path / "council")
    warehouse, as_of = council.warehouse, council.as_of
    with connect(warehouse) as con:
        submitted = run_claim(con, load_plan(), as_of, tmp_path / "q2.xlsx", submit=True)
    assert submitted.claimed >= 5

    # The members of the first claimed case, as a council's old system would list them.
    with (tmp_path / "council" / "truth" / "expected_decisions.csv").open() as handle:
        case = next(r["case_id"] for r in csv.DictReader(handle) if r["expected_claim"] == "yes")
    # Members arrive in monthly batches (and may be re-sent): one row per person.
    by_person: dict[str, dict[str, str]] = {}
    for members_file in sorted((tmp_path / "council" / "inbox" / "eh_members").glob("*.csv")):
        with members_file.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                if row["case_id"] == case:
                    by_person[row["source_person_id"]] = row
    members = list(by_person.values())
    assert members
    historic = tmp_path / "historic_claims.csv"
    with historic.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(HISTORIC_COLUMNS)
        for m in members:
            out.writerow(["OLD-1", "2024-03-31", m["role"], *[m[c] for c in HISTORIC_COLUMNS[3:]]])

    imported = run_sfp(
        "import-claims", "--file", str(historic), "--warehouse", str(warehouse), cwd=tmp_path
    )
    assert imported.returncode == 0, imported.stderr
    assert f"1 historic claims, {len(members)} members ({len(members)} linked" in imported.stdout

    # The period was submitted before the import: its re-run must not see the old claim.
    rerun = run_sfp(
        "rerun", "--as-of", as_of.isoformat(), "--warehouse", str(warehouse),
        "--out", "rerun.xlsx", cwd=tmp_path,
    )  # fmt: skip
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert f"re-run sha256 {submitted.workbook_sha256}: identical" in rerun.stdout
    assert (tmp_path / "rerun.xlsx").read_bytes() == (tmp_path / "q2.xlsx").read_bytes()

    # A fresh decision on today's ledger does see it.
    with connect(warehouse) as con:
        from claims.decide import decide_cases

        decisions = decide_cases(con, load_plan(), as_of).set_index("case_id")
    assert "already claimed on 2024-03-31 (claim OLD-1)" in decisions.loc[case, "reasons"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["rerun", "--as-of", "2025-09-30", "--warehouse", "nowhere.duckdb"],
            "warehouse not found",
        ),
        (
            ["rerun", "--as-of", "2025-09-30", "--warehouse", "w.duckdb"],
            "no submission for the period ending 2025-09-30 in w.duckdb (submitted as-of dates: no",
        ),
        (["import-claims", "--file", "h.csv", "--warehouse", "w.duckdb"], "h.csv: file not found"),
        (["import-claims", "--file", "bad.csv", "--warehouse", "w.duckdb"], "missing column(s)"),
    ],
)
def test_claim_command_mistakes_are_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    connect(tmp_path / "w.duckdb").close()
    (tmp_path / "bad.csv").write_text("claim_ref,claim_date\nA,2024-01-01\n", encoding="utf-8")
    result = run_sfp(*args, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr

"""The claim report page's numbers, checked against the decision tables they summarise."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import yaml

from claims.report_page import (
    claim_page_path,
    claims_by_quarter,
    gate_funnel,
    headline_outcomes,
    near_misses,
)
from claims.submission import run_claim
from indicators.plan import load_plan
from tests.conftest import LoadedSample


def _plan(folder: Path, **settings: object):  # noqa: ANN202 - a Plan
    path = folder / "plan.yaml"
    path.write_text(yaml.safe_dump({"extends": "national", **settings}), encoding="utf-8")
    return load_plan(path)


def test_funnel_counts_cases_through_each_gate_in_turn(
    loaded_sample: LoadedSample, sample_con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    result = run_claim(sample_con, load_plan(), loaded_sample.as_of, tmp_path / "c.xlsx")
    gates = sample_con.execute("select case_id, gate, passed from claim_gate").df()
    funnel = gate_funnel(sample_con, load_plan(), result.claimed)
    assert funnel["cases"].iloc[0] == result.cases == gates["case_id"].nunique()
    assert funnel["cases"].iloc[-1] == result.claimed
    steps = funnel["cases"].tolist()
    assert steps == sorted(steps, reverse=True)  # nobody comes back after a gate
    alive = set(gates["case_id"])
    for gate in range(1, 8):
        failing = set(gates.loc[(gates["gate"] == gate) & ~gates["passed"], "case_id"])
        alive -= failing
        row = funnel[funnel["step"].str.startswith(f"gate {gate}:")].iloc[0]
        assert row["cases"] == len(alive), gate
        assert row["fail this gate"] == len(failing), gate
    assert "gate 5: closed 6 months" in " ".join(funnel["step"])


def test_headlines_and_near_misses_match_the_decisions(
    loaded_sample: LoadedSample, sample_con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    plan = load_plan()
    run_claim(sample_con, plan, loaded_sample.as_of, tmp_path / "c.xlsx")
    decisions = sample_con.execute("select * from claim_decision").df()
    headlines = headline_outcomes(sample_con, plan, decisions).set_index("headline")
    claimed = decisions[decisions["claimed"]]
    for code, name in plan.headlines.items():
        row = headlines.loc[f"{code} {name}"]
        with_need = decisions["headline_outcomes"].str.split(", ").apply(lambda c, h=code: h in c)
        assert row["cases with a need"] == int(with_need.sum()), code
        assert row["families claimed"] == int(with_need[claimed.index].sum()), code
        assert (
            row["families claimed"]
            <= row["cases with every outcome met"]
            <= row["cases with a need"]
        )
    misses = near_misses(decisions)
    waiting = decisions[~decisions["claimed"] & decisions["earliest_pass_date"].notna()]
    assert int(misses["cases"].sum()) == len(waiting)
    months = pd.to_datetime(waiting["earliest_pass_date"]).dt.strftime("%Y-%m")
    assert sorted(set(misses["month"])) == sorted(set(months))


def test_quarters_come_from_the_ledger_with_the_running_total_and_allocation(
    loaded_sample: LoadedSample, sample_con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    plan = _plan(tmp_path, allocation={"2025-26": 60})
    first = run_claim(sample_con, plan, date(2025, 6, 30), tmp_path / "q1.xlsx", submit=True)
    second = run_claim(sample_con, plan, loaded_sample.as_of, tmp_path / "q2.xlsx")
    quarters = claims_by_quarter(sample_con, plan, loaded_sample.as_of, second.claimed)
    ledger = sample_con.execute(
        "select count(*) from claim_ledger l join claim_submission s using (submission_id) "
        "where s.kind = 'historic_import'"
    ).fetchone()
    this_year = quarters[quarters["year"] == "2025-26"].set_index(["quarter", "source"])
    assert this_year.loc[("2025-26 Q1", "submitted"), "families"] == first.claimed
    q2 = this_year.loc[("2025-26 Q2", "this claim (not submitted)")]
    assert q2["families"] == second.claimed
    assert q2["claimed so far in the year"] == first.claimed + second.claimed
    assert set(this_year["yearly allocation"]) == {60}
    historic = quarters[quarters["source"] == "historic (imported)"]
    assert int(historic["families"].sum()) == (ledger[0] if ledger else 0)
    # Once Q2 is submitted, another claim dated in Q2 is not counted on top of it.
    run_claim(sample_con, plan, loaded_sample.as_of, tmp_path / "q2s.xlsx", submit=True)
    again = claims_by_quarter(sample_con, plan, date(2025, 9, 29), 999)
    q2_rows = again[again["quarter"] == "2025-26 Q2"]
    assert q2_rows["source"].tolist() == ["submitted"]
    assert q2_rows["families"].tolist() == [second.claimed]


def test_page_is_beside_the_workbook_offline_deterministic_and_names_nobody(
    loaded_sample: LoadedSample, sample_con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    plan = load_plan()
    first = run_claim(sample_con, plan, loaded_sample.as_of, tmp_path / "a" / "claim.xlsx")
    second = run_claim(sample_con, plan, loaded_sample.as_of, tmp_path / "b" / "claim.xlsx")
    assert (
        first.report_page == claim_page_path(first.workbook) == tmp_path / "a" / "claim-report.html"
    )
    assert first.report_page is not None and second.report_page is not None
    html = first.report_page.read_text(encoding="utf-8")
    assert html == second.report_page.read_text(encoding="utf-8")
    # Everything inline: no script, style or image from a file or a network.
    markup = re.sub(r"<script[^>]*>.*?</script>", "", html, flags=re.S)
    assert not re.search(r"\bsrc=|<link|<iframe|@import|url\(", markup)
    script_tags = set(re.findall(r"<script([^>]*)>", html))
    assert all(tag == "" or tag.startswith(' type="application/json"') for tag in script_tags)
    assert "default-src 'none'" in html
    # No pseudonymous or source identifiers of families, cases or people.
    ids = sample_con.execute(
        "select family_id, case_id from claim_decision union all "
        "select person_id, source_person_id from family_member"
    ).fetchall()
    for family_or_person, case_or_source in ids:
        for value in (family_or_person, case_or_source):
            if value:
                assert value not in html, value

"""The worklist and the forecast on the sample council, against what it planted and what
the claim step decides later.

Worklist: every planted worklist family is listed and no look-alike is (truth/
worklist_households.csv, written from how each household was built). Forecast: a past
quarter's forecast, made as of its first day, against the claim step's own decision on its
last day, for every case whose data did not change in between (`UNCHANGED_SQL`).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from claims.decide import CLAIM_MODELS, CLAIM_SQL_DIR, decide_cases
from claims.forecast import build_forecast, forecast_parameters
from claims.lookahead import quarter_ends, temp_schema
from claims.worklist import build_worklist
from data_contracts.feeds import FEEDS, PERSON_FEEDS
from data_contracts.warehouse import connect
from indicators.incremental import CASE_MODELS
from indicators.plan import load_plan
from indicators.runner import SQL_DIR
from sample_data.worklist_truth import planted_listed, precision_recall
from tests.sample_data.conftest import Council


@pytest.fixture()
def council_con(council: Council, tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A private copy of the sample council's warehouse: these tests derive at other dates."""
    copy = tmp_path / "warehouse.duckdb"
    copy.write_bytes(council.warehouse.read_bytes())
    with connect(copy) as con:
        yield con


def test_sample_council_lists_every_planted_family_and_no_look_alike(
    council: Council, council_con: duckdb.DuckDBPyConnection
) -> None:
    as_of = date.fromisoformat(str(council.summary["as_of"]))
    worklist = build_worklist(council_con, load_plan(), as_of)
    planted = planted_listed(council_con, council.folder, worklist.members["person_id"])
    precision, recall = precision_recall(planted)
    print(
        f"\nworklist at {council.summary['households']} households: "
        f"{len(worklist.families)} of {worklist.eligible_families} eligible families listed; "
        f"planted: precision {precision:.3f}, recall {recall:.3f} "
        f"({int(planted['got'].sum())} listed of {len(planted)} planted households)"
    )
    wrong = planted[planted["got"] != (planted["listed"] == "yes")]
    assert wrong.empty, wrong.to_string()
    assert set(planted["scenario"]) >= {"lookalike_one_need", "lookalike_case_open"}
    assert (precision, recall) == (1.0, 1.0)


def _row_dates() -> str:
    """Every dated person row (a CSC plan also changes when it ends)."""
    parts = []
    for feed in PERSON_FEEDS:
        column = FEEDS[feed].date_column
        if column is not None:
            parts.append(
                f"select '{feed}' as source, source_record_id, {column} as day from stg_{feed}"
            )
    parts.append("select 'csc', source_record_id, end_date from stg_csc")
    return " union all ".join(parts)


UNCHANGED_SQL = f"""
-- A case's data did not change between $a (the forecast's as-of date) and $b (the claim's)
-- when none of these is dated after $a and on or before $b: a row of any partner feed
-- linked to one of its members (a CSC plan's end too), its own case row's opening,
-- assessment, action plan or closure, a need or outcome recorded on it; and the latest
-- attendance term the warehouse holds is the same on both dates (or no child of the case is
-- judged on it). A family changes as one: its cases are decided together (gate 7).
with row_date as ({_row_dates()}),
changed_person as (
    select distinct l.person_id
    from row_date r join person_link l using (source, source_record_id)
    where r.day > $a and r.day <= $b
),
changed_case as (
    select case_id from family_member
    where person_id in (select person_id from changed_person)
    union
    select case_id from stg_eh_cases
    where (opened_date > $a and opened_date <= $b) or (closed_date > $a and closed_date <= $b)
       or (whole_family_assessment_date > $a and whole_family_assessment_date <= $b)
       or (action_plan_date > $a and action_plan_date <= $b)
    union
    select case_id from stg_eh_needs where identified_date > $a and identified_date <= $b
    union
    select case_id from stg_eh_outcomes where achieved_date > $a and achieved_date <= $b
    union
    select case_id from child_attendance_latest
    where (select max(term_end) from stg_attendance where term_end <= $a)
          is distinct from (select max(term_end) from stg_attendance where term_end <= $b)
)
select case_id from claim_family
where family_key not in (
    select family_key from claim_family where case_id in (select case_id from changed_case))
"""


@pytest.mark.parametrize(
    ("start", "end", "time_alone"),
    [
        # Q1: most planted cases closed on 16 December 2024 pass gate 5 on 16 June 2025.
        (date(2025, 4, 1), date(2025, 6, 30), True),
        # Q2: the summer term (31 July) changes every case with a child of school age.
        (date(2025, 7, 1), date(2025, 9, 30), False),
    ],
)
def test_a_past_quarters_forecast_agrees_with_the_claim_at_its_end(
    council: Council,
    council_con: duckdb.DuckDBPyConnection,
    start: date,
    end: date,
    time_alone: bool,
) -> None:
    plan = load_plan()
    forecast = build_forecast(council_con, plan, start)
    claimable_now = set(forecast.cases.loc[forecast.cases["outlook"] == "claimable now", "case_id"])
    decided = decide_cases(council_con, plan, end).set_index("case_id")
    unchanged = {
        c for (c,) in council_con.execute(UNCHANGED_SQL, {"a": start, "b": end}).fetchall()
    }
    cases = forecast.cases.set_index("case_id")
    expected = pd.to_datetime(cases["claimable_by"]).dt.date == end
    compared = [c for c in cases.index if c in unchanged]
    disagree = [
        f"{c}: forecast {cases.loc[c, 'outlook']} ({cases.loc[c, 'claimable_by']}), "
        f"claim {'claimed' if decided.loc[c, 'claimed'] else decided.loc[c, 'reasons']}"
        for c in compared
        if bool(expected[c]) != bool(decided.loc[c, "claimed"])
    ]
    by_time = [c for c in compared if decided.loc[c, "claimed"] and c not in claimable_now]
    print(
        f"\nforecast as of {start}, claim as of {end}: {len(cases)} cases forecast, "
        f"{len(compared)} with data unchanged, {len(disagree)} disagree; "
        f"{sum(bool(decided.loc[c, 'claimed']) for c in compared)} of them claimed at the end, "
        f"{len(by_time)} of those not claimable at the start (time alone)"
    )
    assert not disagree, "\n".join(disagree)
    assert len(compared) >= 20
    # The quarter is not decided by the start alone: some case only time made claimable.
    assert bool(by_time) is time_alone
    # Changed cases are where the two may part: the forecast cannot see rows not yet sent.
    assert set(cases.index) - unchanged


@pytest.mark.parametrize("start", [date(2025, 4, 1), date(2025, 7, 1)])
def test_the_forecasts_shortcuts_decide_as_every_model_would(
    council_con: duckdb.DuckDBPyConnection, start: date
) -> None:
    """The forecast decides again only the as-of-date models, only for closed cases that can
    still pass, and drops a family once expected. Deciding every case model and claim model
    again at each quarter end, for every case, on the same frozen rows, must give the same
    first quarter per case."""
    plan = load_plan()
    forecast = build_forecast(council_con, plan, start)
    family = dict(council_con.execute("select case_id, family_key from claim_family").fetchall())
    claimed: dict[date, set[str]] = {}
    with temp_schema(council_con) as temps:
        for table, column in (
            ("stg_eh_outcomes", "achieved_date"),
            ("stg_eh_needs", "identified_date"),
        ):
            temps.table(table, f"select * from {table} where {column} <= $as_of", {"as_of": start})
        for end in quarter_ends(start, 3):
            parameters = forecast_parameters(plan, start, end)
            temps.models(SQL_DIR, CASE_MODELS, parameters)
            temps.models(CLAIM_SQL_DIR, CLAIM_MODELS, parameters)
            rows = council_con.execute("select case_id from claim_decision where claimed")
            claimed[end] = {c for (c,) in rows.fetchall()}
    first: dict[str, date] = {}
    every_model: dict[str, date] = {}
    for end, cases in claimed.items():
        for case in sorted(cases):
            if family[case] not in first or first[family[case]] == end:
                first.setdefault(family[case], end)
                every_model[case] = end
    shortcut = {
        c: d.date()
        for c, d in zip(forecast.cases["case_id"], forecast.cases["claimable_by"], strict=True)
        if pd.notna(d)
    }
    in_scope = set(forecast.cases["case_id"])
    assert shortcut == {c: d for c, d in every_model.items() if c in in_scope}
    assert len(set(shortcut.values())) >= 2  # more than one quarter end is exercised

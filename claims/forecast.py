"""The claims forecast: which families will be claimable by the end of this quarter and the
next two, on the data known now, against the year's allocation.

It is the claim step run forward, not a second set of rules. The case tables are decided
as of the as-of date (claims/decide.py); then the models that read the as-of date as a
date to judge by (the registry's `recompute_when: as_of` outcome models, the child
attendance frame, the outcome combination and the claim models), those of them the quarter
end changes (`moving_models`), run again at each quarter end in the connection's temp
schema, over the rows known on the as-of date: the frame and
person tables stay as the as-of date left them, and recorded outcomes dated later are
hidden. So a case is "expected" by a quarter end exactly when the claim step would claim
it then if no row about it arrived in between (tests/claims/test_forecast.py compares a
past quarter's forecast with the claim at its end). The other models do not read the date
except as a cut-off, which the frozen rows already apply (the incremental derive relies on
the same list, indicators/incremental.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd

from claims.decide import CLAIM_MODELS, CLAIM_SQL_DIR, decide_cases
from claims.ledger import claimed_in_year
from claims.lookahead import TempSchema, quarter_ends, temp_schema
from claims.periods import financial_quarter, financial_year, yearly_allocation
from data_contracts.file_writes import write_whole
from data_contracts.xlsx_writer import render_sheets
from indicators.dependencies import model_reads
from indicators.models import sql_parameters
from indicators.plan import Plan
from indicators.registry import load_registry
from indicators.runner import SQL_DIR, model_parameters

QUARTERS = 3
"""This quarter and the next two."""
SCOPED_TABLES = (
    "case_current",
    "family_member",
    "member_window",
    "member_police_event",
    "case_referral",
    "family_need",
    "need_subject",
)
"""The case-keyed tables the re-decided models read, cut to the forecast's scope."""
FROZEN_ROWS = {"stg_eh_outcomes": "achieved_date"}
"""Staged rows a re-run model reads with the date as its cut-off (family_need_outcome),
keyed by case: kept to the scope's cases and the rows dated by the as-of date."""


def horizon_models() -> tuple[str, ...]:
    """The indicator models whose answer moves with the as-of date on unchanged rows.

    Every `recompute_when: as_of` outcome model stays in, outcome_crime too: its "latest
    6 months" window slides past old incidents and its sustainment period runs out with
    time alone (on the sample, 42 cases forecast as of 1 July 2025 pass CRI by 31 December
    only so; tests/sample_data/test_lookahead.py decides every model again to check).
    """
    return (
        "child_attendance_latest",
        "case_referral_record",
        *load_registry().models_recomputed_when("as_of"),
        "outcome_data_test",
        "family_need_outcome",
    )


def forecast_parameters(plan: Plan, as_of: date, end: date) -> dict[str, object]:
    """The model parameters for judging `end` on the rows known on `as_of`.

    SPEC section 3: a feed covers only the period its rows reach. On the rows known now the
    referrals feed ends by `as_of` and attendance holds the terms ended by it; the forecast
    assumes the referrals extract keeps arriving with no row about the case (so the months
    after a closure are covered by `end`) and judges attendance on the terms ended by
    `as_of`, the latest it can know (docs/interpretations.md, "the forecast").
    """
    return {
        **model_parameters(plan, end),
        "attendance_terms_by": as_of,
        "referrals_assumed_to": end,
    }


def moving_models(plan: Plan, as_of: date, end: date) -> tuple[str, ...]:
    """The horizon models whose answer at `end` can differ from the decision's at `as_of`:
    those whose SQL reads a parameter the forecast sets otherwise (the date judged by, the
    referrals feed's assumed end), and those reading such a model (the SQL's own joins,
    indicators/dependencies.py). The others keep the decision's rows: child attendance,
    judged on the terms ended by the as-of date at every quarter end, is decided once."""
    decision = model_parameters(plan, as_of)
    forecast = forecast_parameters(plan, as_of, end)
    changed = {name for name, value in forecast.items() if decision.get(name) != value}
    moving: list[str] = []
    for name in horizon_models():  # run order: a model's inputs come before it
        sql = (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")
        if sql_parameters(sql) & changed or set(model_reads(name)) & set(moving):
            moving.append(name)
    return tuple(moving)


def _time_tested() -> list[str]:
    """Criteria whose outcome test is decided again at each quarter end."""
    again = set(horizon_models())
    return [c.code for c in load_registry().criteria.values() if c.outcome_model in again]


def _outcomes_kept() -> tuple[str, ...]:
    """The outcome models not decided again: their rows as of the date stand (cut to scope)."""
    again = set(horizon_models())
    return tuple(m for m in load_registry().outcome_model_order if m not in again)


@dataclass(frozen=True)
class Forecast:
    as_of: date
    cases: pd.DataFrame
    """One row per open or recently closed case (claims/sql/forecast_case.sql)."""
    quarters: pd.DataFrame
    """Families expected to become claimable per quarter, against the allocation."""


def build_forecast(
    con: duckdb.DuckDBPyConnection,
    plan: Plan,
    as_of: date,
    decided: bool = False,
) -> Forecast:
    """Decide as of the date (unless the caller just did: `decided`), then look ahead."""
    if not decided:
        decide_cases(con, plan, as_of)
    parameters = model_parameters(plan, as_of)
    ends = quarter_ends(as_of, QUARTERS)
    with temp_schema(con) as temps:
        temps.model(CLAIM_SQL_DIR / "forecast_now.sql", parameters)
        temps.model(
            CLAIM_SQL_DIR / "forecast_scope.sql", {**parameters, "time_tested": _time_tested()}
        )
        # every quarter end after the as-of date moves the same models: the last one's
        moving = moving_models(plan, as_of, ends[-1])
        kept = [m for m in horizon_models() if m not in moving]
        for table in (*SCOPED_TABLES, *_outcomes_kept(), *kept):
            temps.restrict(table, "case_id", "forecast_scope")
        for table, column in FROZEN_ROWS.items():
            temps.table(
                table,
                f"select * from {table} where {column} <= $as_of "
                "and case_id in (select case_id from forecast_scope)",
                parameters,
            )
        for end in ends:
            _decide_at(temps, plan, as_of, end, again=end != as_of)
        temps.model(CLAIM_SQL_DIR / "forecast_case.sql", parameters)
        cases = con.execute("select * from forecast_case order by family_id, case_id").df()
    return Forecast(as_of, cases, quarter_table(con, plan, as_of, ends, cases))


def _decide_at(temps: TempSchema, plan: Plan, as_of: date, end: date, again: bool) -> None:
    """The claim step at `end` on the rows known now; its decisions join forecast_horizon.

    A claim run on a quarter's last day has just decided that quarter end (`again` false).
    """
    if again:
        parameters = forecast_parameters(plan, as_of, end)
        temps.models(SQL_DIR, moving_models(plan, as_of, end), parameters)
        temps.models(CLAIM_SQL_DIR, CLAIM_MODELS, parameters)
    decided = "select case_id, $end::date as quarter_end, claimed from claim_decision"
    if "forecast_horizon" in temps.made:
        temps.con.execute(f"insert into forecast_horizon {decided}", {"end": end})
    else:
        temps.table("forecast_horizon", decided, {"end": end})
    # A family claimed at this quarter end is claimed then, not again at the next one: the
    # later quarter ends decide only the families still waiting.
    temps.con.execute(
        "delete from forecast_scope where case_id in (select case_id from forecast_now "
        "where family_key in (select n.family_key from forecast_now n "
        "join forecast_horizon h using (case_id) where h.claimed))"
    )


def _first_by_family(cases: pd.DataFrame, column: str) -> pd.Series:
    """The earliest date in `column` per family (family_key), as timestamps."""
    dates = pd.to_datetime(cases[column]).astype("datetime64[s]")
    return dates.groupby(cases["family_key"]).min().dropna()


def quarter_table(
    con: duckdb.DuckDBPyConnection,
    plan: Plan,
    as_of: date,
    ends: list[date],
    cases: pd.DataFrame,
) -> pd.DataFrame:
    """Per quarter: families first expected claimable in it, the running total of each
    financial year (its submitted periods before the as-of date, plus the forecast) and the
    plan's allocation; open cases' families that could pass in it only if closed now."""
    expected = _first_by_family(cases, "claimable_by")
    open_cases = cases[cases["status"] == "open"]
    open_by = _first_by_family(open_cases, "earliest_pass_date")
    open_by = open_by[~open_by.index.isin(expected.index)]
    rows = []
    submitted: dict[str, int] = {}
    running: dict[str, int] = {}
    for end in ends:
        year, year_start = financial_year(end)
        if year not in submitted:
            submitted[year] = running[year] = claimed_in_year(con, year_start, as_of)
        new = int((expected == pd.Timestamp(end)).sum())
        running[year] += new
        allocation = yearly_allocation(plan, year)
        rows.append(
            {
                "quarter": financial_quarter(end),
                "quarter end": end,
                "families expected to become claimable": new,
                "expected by the quarter end": int((expected <= pd.Timestamp(end)).sum()),
                "open cases' families that could pass if closed now": int(
                    (open_by <= pd.Timestamp(end)).sum()
                ),
                "financial year": year,
                "claimed in the year before the as-of date": submitted[year],
                "claimed and expected in the year": running[year],
                "yearly allocation": allocation,
                "share of the allocation (%)": (
                    round(100 * running[year] / allocation, 1) if allocation else None
                ),
            }
        )
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class ForecastResult:
    workbook: Path
    forecast: Forecast


def forecast_about(forecast: Forecast, plan: Plan) -> pd.DataFrame:
    first = forecast.quarters.iloc[0]
    lines = [
        (
            "what this is",
            "The claim step decided again at the end of this quarter and the next two on the "
            "data known on the as-of date: a family is expected to become claimable in the "
            "first quarter whose end it would be claimed at if nothing about it changed. Open "
            "cases are counted apart, by when they could pass if they closed now.",
        ),
        ("as-of date", forecast.as_of),
        ("this quarter", first["quarter"]),
        ("cases looked at (open, or closed in the months before)", len(forecast.cases)),
        ("closed cases in scope: closed in the months before the as-of date",
         plan.thresholds["forecast_closed_months"]),
    ]  # fmt: skip
    for outlook, count in forecast.cases["outlook"].value_counts().sort_index().items():
        lines.append((f"cases: {outlook}", int(count)))
    return pd.DataFrame(lines, columns=["item", "value"])


def forecast_workbook(forecast: Forecast, plan: Plan) -> bytes:
    """About, Quarters and Cases; pseudonymous family and case IDs only, as in the claim."""
    sheets = [
        ("About", forecast_about(forecast, plan)),
        ("Quarters", forecast.quarters),
        ("Cases", forecast.cases.drop(columns=["family_key"])),
    ]
    moment = datetime(forecast.as_of.year, forecast.as_of.month, forecast.as_of.day)
    return render_sheets(sheets, moment)


def forecast_path(out: Path | None, as_of: date) -> Path:
    return out or Path(f"forecast-{as_of.isoformat()}.xlsx")


def run_forecast(
    con: duckdb.DuckDBPyConnection, plan: Plan, as_of: date, out: Path
) -> ForecastResult:
    forecast = build_forecast(con, plan, as_of)
    write_whole(out, forecast_workbook(forecast, plan))
    return ForecastResult(out, forecast)

"""The claim report page: one offline HTML file beside each claim workbook.

What an analyst or a finance officer asks of a claim before sending it: how many cases got
through each of the seven gates, which headline outcomes the families' needs and outcomes
fall under, which cases could pass on a later date and when, and how this quarter's claims
stand against the year's allocation. Counts only: no family, case or person ID, no name,
no date of birth, so the page can be mailed around like the figures in the Summary sheet.

The charts (claims/report_charts.py) are Vega-Lite specs drawn offline by the Vega scripts
inlined in the page. Every chart has a table of the same numbers under it. The page
carries no clock: the same claim gives the same bytes.
"""

from __future__ import annotations

from datetime import date
from html import escape
from pathlib import Path

import duckdb
import pandas as pd

from claims.annex_a import SOURCE, Standing, council_standing, load_annex_a, scaled_shares
from claims.ledger import claimed_in_year, ensure_ledger
from claims.periods import financial_quarter, financial_year, yearly_allocation
from claims.report_charts import (
    EMBED,
    chart,
    funnel_spec,
    headline_spec,
    near_miss_spec,
    quarter_spec,
    standing_spec,
    vega_scripts,
)
from claims.workbook import Pounds, Share
from indicators.plan import Plan

GATE_LABELS = {
    1: "a dependent child or expectant parent",
    2: "needs under {min_headlines}+ headline outcomes",
    3: "lead practitioner, assessment and plan",
    4: "every need's outcome met",
    5: "closed {months_closed_before_claim} months, no re-referral",
    6: "school attendance held",
    7: "not claimed in the last {reclaim_after_months} months",
}
"""Short names of claims/sql/claim_gate.sql's gates (docs/claims.md has the full rules)."""

STYLE = """
body { font-family: sans-serif; margin: 2em; color: #222; max-width: 72em; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #bbb; padding: 0.2em 0.6em; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
th { background: #eee; }
.chart { min-height: 120px; }
section { margin-bottom: 2.5em; }
.note { color: #555; }
"""
CSP = (
    "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; "
    "style-src 'unsafe-inline'; img-src data:"
)
"""Nothing may load from anywhere: Vega compiles its expressions (eval), nothing else."""


def claim_page_path(workbook: Path) -> Path:
    """Beside the workbook: `claim-2025-09-30.xlsx` -> `claim-2025-09-30-report.html`."""
    return workbook.with_name(f"{workbook.stem}-report.html")


def gate_funnel(con: duckdb.DuckDBPyConnection, plan: Plan, claimed: int) -> pd.DataFrame:
    """Cases still in after each gate in turn, and how many fail each gate at all."""
    gates = con.execute("select case_id, gate, passed from claim_gate").df()
    matrix = gates.pivot(index="case_id", columns="gate", values="passed").fillna(False)
    matrix = matrix.astype(bool)
    through = matrix.cumprod(axis=1).sum().astype(int)
    rows = [{"step": "cases decided", "cases": len(matrix), "fail this gate": None}]
    for gate in matrix.columns:
        label = GATE_LABELS.get(int(gate), f"gate {gate}").format(**plan.thresholds)
        rows.append(
            {
                "step": f"gate {gate}: {label}",
                "cases": int(through[gate]),
                "fail this gate": int((~matrix[gate]).sum()),
            }
        )
    rows.append({"step": "claimed", "cases": claimed, "fail this gate": None})
    return pd.DataFrame(rows)


HEADLINE_SQL = """
with need as (
    select n.case_id, p.headline, bool_and(n.met) as all_met
    from family_need_outcome n
    join plan_criterion p using (criterion)
    group by n.case_id, p.headline
)
select headline, count(*) as with_need, count(*) filter (where all_met) as outcomes_met
from need group by headline
"""


def headline_outcomes(
    con: duckdb.DuckDBPyConnection, plan: Plan, decisions: pd.DataFrame
) -> pd.DataFrame:
    """Per headline: cases with a need under it, cases with all those needs met, claimed."""
    counts = con.execute(HEADLINE_SQL).df().set_index("headline")
    claimed = decisions.loc[decisions["claimed"], "headline_outcomes"].str.split(", ")
    rows = []
    for code, name in plan.headlines.items():
        rows.append(
            {
                "headline": f"{code} {name}",
                "cases with a need": int(counts["with_need"].get(code, 0)),
                "cases with every outcome met": int(counts["outcomes_met"].get(code, 0)),
                "families claimed": int(claimed.apply(lambda codes, c=code: c in codes).sum()),
            }
        )
    return pd.DataFrame(rows)


def _waiting_on(failed_gates: str) -> str:
    gates = set(failed_gates.split(","))
    names = {"5": "closure window (gate 5)", "7": "re-claim window (gate 7)"}
    return " and ".join(names.get(g, f"gate {g}") for g in sorted(gates))


def near_misses(decisions: pd.DataFrame) -> pd.DataFrame:
    """Cases that only wait for a date, counted by the month they could pass."""
    waiting = decisions[~decisions["claimed"] & decisions["earliest_pass_date"].notna()]
    if waiting.empty:
        return pd.DataFrame(columns=["month", "waiting on", "cases", "claim quarter"])
    passes = pd.to_datetime(waiting["earliest_pass_date"])
    frame = pd.DataFrame(
        {
            "month": passes.dt.strftime("%Y-%m"),
            "waiting on": waiting["failed_gates"].map(_waiting_on),
            "claim quarter": [financial_quarter(d.date()) for d in passes],
        }
    )
    counted = frame.groupby(["month", "waiting on", "claim quarter"]).size()
    return counted.rename("cases").reset_index()[["month", "waiting on", "cases", "claim quarter"]]


def claims_by_quarter(
    con: duckdb.DuckDBPyConnection, plan: Plan, as_of: date, claimed_now: int
) -> pd.DataFrame:
    """Families claimed per financial quarter (ledger, plus this run when not submitted),
    with the running total in each financial year and that year's allocation."""
    ensure_ledger(con)
    ledger = con.execute(
        "select l.as_of, s.kind, count(*) as families from claim_ledger l "
        "join claim_submission s using (submission_id) group by all"
    ).df()
    rows = [
        (
            financial_quarter(row.as_of.date()),
            "submitted" if row.kind == "submission" else "historic (imported)",
            int(row.families),
        )
        for row in ledger.itertuples()
    ]
    submitted = con.execute(
        "select as_of from claim_submission where kind = 'submission'"
    ).fetchall()
    quarter = financial_quarter(as_of)
    if quarter not in {financial_quarter(day) for (day,) in submitted}:
        # A quarter already submitted shows what was submitted, not this run again.
        rows.append((quarter, "this claim (not submitted)", claimed_now))
    # Typed, so a ledger holding only a period that claimed no one still sums and counts.
    frame = pd.DataFrame(rows, columns=["quarter", "source", "families"]).astype(
        {"quarter": "object", "source": "object", "families": "int64"}
    )
    frame = frame.groupby(["quarter", "source"], as_index=False)["families"].sum()
    frame["year"] = frame["quarter"].str[:7]
    # As the Summary counts the year's progress (claims.ledger.claimed_in_year): the
    # periods submitted here and this claim; imported historic claims are shown apart.
    counted = frame[frame["source"] != "historic (imported)"]
    totals = counted.groupby(["year", "quarter"], as_index=False)["families"].sum()
    totals["claimed so far in the year"] = totals.groupby("year")["families"].cumsum()
    allocations = {year: yearly_allocation(plan, year) for year in totals["year"].unique()}
    totals["yearly allocation"] = totals["year"].map(allocations)
    frame = frame.merge(totals.drop(columns="families"), on=["year", "quarter"], how="left")
    return frame.sort_values(["quarter", "source"]).reset_index(drop=True)


def standing_table(standing: Standing, council: str, annex: pd.DataFrame) -> pd.DataFrame:
    """The figures beside the chart, and the council's own 2022-23 row when Annex A has it."""
    rows: list[tuple[str, object]] = [
        (
            f"families claimed in {standing.year} (submitted periods and this claim)",
            standing.claimed,
        ),
        (f"yearly allocation {standing.year} (maximum funded outcomes)", standing.allocation),
        (f"share of the {standing.year} maximum claimed", _share(standing.share)),
        ("point in the year, against Annex A's 280 days", _share(standing.pace)),
        (
            "councils of 2022-23 with a lower share at this point of the year",
            None
            if standing.rank_below is None
            else f"{standing.rank_below} of {standing.councils}",
        ),
        ("2022-23 at this point: 10th percentile", _share(standing.low)),
        ("2022-23 at this point: median", _share(standing.median)),
        ("2022-23 at this point: 90th percentile", _share(standing.high)),
        ("verdict", standing.verdict),
    ]
    own = annex[annex["local_authority"].str.casefold() == council.casefold()]
    for row in own.itertuples():
        rows.append(
            (
                f"{row.local_authority} in 2022-23 (Annex A, to 05 January 2023)",
                f"{row.total_achieved:,} of {row.maximum_funded_outcomes:,} "
                f"({row.share_achieved_percent}%)",
            )
        )
    return pd.DataFrame(rows, columns=["item", "value"])


def _share(value: float | None) -> Share | None:
    return None if value is None else Share(value)


def _standing_section(con: duckdb.DuckDBPyConnection, plan: Plan, as_of: date, claimed: int) -> str:
    year, year_start = financial_year(as_of)
    so_far = claimed_in_year(con, year_start, as_of) + claimed
    annex = load_annex_a()
    standing = council_standing(
        year, year_start, as_of, so_far, yearly_allocation(plan, year), annex
    )
    return _section(
        "standing",
        "Where the council stands against England's councils",
        "The share of the year's maximum (the plan's allocation) claimed so far, beside each "
        "council's share of its maximum funded outcomes achieved in 2022-23, scaled to the "
        "same point in the year (Annex A counts to 05 January 2023). The national team "
        "picks councils for assurance visits partly by an unexpected number of family "
        f"outcomes (004). Source: {SOURCE}.",
        chart("standing", standing_spec(scaled_shares(annex, standing.pace), standing.share)),
        html_table(standing_table(standing, plan.council[0], annex)),
    )


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "<td></td>"
    if isinstance(value, bool):
        return f"<td>{'yes' if value else 'no'}</td>"
    if isinstance(value, Share):
        return f'<td class="n">{value:.1%}</td>'
    if isinstance(value, Pounds):
        return f'<td class="n">£{value:,.2f}</td>'
    if isinstance(value, int | float):
        number = f"{value:,.2f}".rstrip("0").rstrip(".")
        return f'<td class="n">{number}</td>'
    if isinstance(value, date):
        return f"<td>{value.isoformat()}</td>"
    return f"<td>{escape(str(value))}</td>"


def html_table(frame: pd.DataFrame) -> str:
    head = "".join(f"<th>{escape(str(name))}</th>" for name in frame.columns)
    body = "".join(
        "<tr>" + "".join(_cell(value) for value in row) + "</tr>"
        for row in frame.astype(object).itertuples(index=False, name=None)
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _section(name: str, title: str, note: str, chart: str, table: str) -> str:
    return (
        f'<section id="{name}"><h2>{escape(title)}</h2><p class="note">{escape(note)}</p>'
        f"{chart}{table}</section>"
    )


def claim_page_html(
    con: duckdb.DuckDBPyConnection,
    plan: Plan,
    as_of: date,
    decisions: pd.DataFrame,
    summary: list[tuple[str, object]],
    forecast: pd.DataFrame | None = None,
) -> str:
    """The page for one claim run, from the tables the decision left in the warehouse, and
    the forecast's quarters (claims/forecast.py) when the run made one."""
    claimed = int(decisions["claimed"].sum())
    funnel = gate_funnel(con, plan, claimed)
    headlines = headline_outcomes(con, plan, decisions)
    misses = near_misses(decisions)
    quarters = claims_by_quarter(con, plan, as_of, claimed)
    council, code = plan.council
    title = f"Claim report {financial_quarter(as_of)}, {council}" + (f" ({code})" if code else "")
    sections = [
        _section(
            "summary",
            "Summary",
            "As in the workbook's Summary sheet.",
            "",
            html_table(pd.DataFrame(summary, columns=["item", "value"])),
        ),
        _section(
            "gates",
            "Cases through the seven gates",
            "Each bar counts the cases that pass that gate and every gate above it; "
            "'fail this gate' counts every case failing it, whatever else it fails.",
            chart("gates", funnel_spec(funnel)),
            html_table(funnel),
        ),
        _section(
            "headlines",
            "Headline outcomes",
            "Cases with a need under each headline, those with every such need's outcome "
            "met, and the claimed families with a need under it.",
            chart("headlines", headline_spec(headlines)),
            html_table(headlines),
        ),
        _section(
            "near-misses",
            "Near misses by the date they could pass",
            "Cases failing only on time (the closure or re-claim window), counted by the "
            "month they could first pass and the quarter they could be claimed in.",
            chart("near-misses", near_miss_spec(misses)) if len(misses) else "",
            html_table(misses) if len(misses) else "<p>No case is waiting only for a date.</p>",
        ),
        _standing_section(con, plan, as_of, claimed),
        _section(
            "quarters",
            "Claims per quarter against the allocation",
            "Families claimed per financial quarter from the ledger (and this claim when its "
            "quarter is not yet submitted), the running total in each financial year of the "
            "periods submitted here and this claim (imported historic claims are shown but "
            "not counted, as in the Summary), and the plan's yearly allocation (when set).",
            chart("quarters", quarter_spec(quarters)),
            html_table(quarters),
        ),
    ]
    if forecast is not None:
        sections.append(
            _section(
                "forecast",
                "Forecast: families expected to become claimable",
                "The claim step decided again at the end of this quarter and the next two on "
                "the data known on the as-of date (sfp forecast; docs/lookahead.md): families "
                "first claimable in each quarter, the financial year's running total against "
                "the allocation, and the open cases' families that could pass in it only if "
                "they closed now.",
                "",
                html_table(forecast),
            )
        )
    return (
        "\n".join(
            [
                "<!DOCTYPE html>",
                '<html lang="en"><head><meta charset="utf-8">',
                f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
                f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>",
                f"<h1>{escape(title)}</h1>",
                f"<p>Decided as of {as_of.isoformat()} under rule set {escape(plan.version)}. "
                "Counts only: no family, case or person is named on this page.</p>",
                *sections,
                vega_scripts(),
                f"<script>{EMBED}</script>",
                "</body></html>",
            ]
        )
        + "\n"
    )


def write_claim_page(path: Path, page: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path

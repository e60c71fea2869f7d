"""A claim run: decide every case as of a date, write the workbook and its report page,
record a submission.

The summary carries the rule-set version and an input fingerprint (the exact files, plan
and linkage model behind the numbers), so a later re-run can show it used the same inputs.
"""

from __future__ import annotations

import hashlib
import json
import logging
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from claims.decide import decide_cases
from claims.evidence_sources import evidence_sources
from claims.forecast import build_forecast
from claims.ledger import claimed_in_year, record_submission
from claims.periods import financial_quarter, financial_year, quarter_bounds, yearly_allocation
from claims.report_page import claim_page_html, claim_page_path
from claims.workbook import ClaimWorkbook, Pounds, Share, render
from data_contracts.file_writes import discard, put_in_place, stage_files
from data_contracts.warehouse import all_or_nothing
from indicators.plan import Plan
from matching.model import MODEL_VERSION

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ClaimResult:
    workbook: Path
    cases: int
    claimed: int
    period: str
    input_fingerprint: str
    reclaims: int = 0
    submission_id: int | None = None
    workbook_sha256: str = ""
    report_page: Path | None = None


def input_fingerprint(
    con: duckdb.DuckDBPyConnection, plan: Plan, model_version: str = MODEL_VERSION
) -> str:
    """One hash of every loaded file's bytes, the plan and the linkage model version."""
    files = con.execute(
        "select feed || ':' || file_sha256 from load_batch order by feed, file_sha256"
    ).fetchall()
    digest = hashlib.sha256()
    for (line,) in files:
        digest.update(line.encode() + b"\n")
    digest.update(f"plan:{plan.fingerprint}\nmodel:{model_version}\n".encode())
    return digest.hexdigest()[:16]


def claim_summary(
    con: duckdb.DuckDBPyConnection, plan: Plan, as_of: date, decisions: pd.DataFrame
) -> list[tuple[str, object]]:
    """The Summary lines a finance officer reads first: who, which period, how many, how much.

    Dates are dates and counts and amounts numbers, so the sheet can be summed and sorted.
    The year's progress counts families claimed in earlier periods of the financial year
    (the ledger) plus this period; amounts appear only when the plan sets a rate.
    """
    claimed = decisions[decisions["claimed"]]
    not_claimed = decisions[~decisions["claimed"]]
    council, code = plan.council
    start, end = quarter_bounds(as_of)
    summary: list[tuple[str, object]] = [
        ("council", council),
        ("council code", code),
        ("period", financial_quarter(as_of)),
        ("period start", start),
        ("period end", end),
        ("as-of date", as_of),
        ("families claimed", len(claimed)),
        ("of which re-claims", int((claimed["reclaim"] == "yes").sum())),
        ("cases decided", len(decisions)),
        ("cases not claimed", len(not_claimed)),
        (
            "near misses (could pass on a later date)",
            int(not_claimed["earliest_pass_date"].notna().sum()),
        ),
    ]
    headlines = claimed["headline_outcomes"].str.split(", ")
    for code_, name in plan.headlines.items():
        count = int(headlines.apply(lambda codes, c=code_: c in codes).sum()) if len(claimed) else 0
        article = "an" if code_[:1].upper() in "AEIOU" else "a"
        summary.append((f"claimed families with {article} {code_} need ({name})", count))
    year, year_start = financial_year(as_of)
    so_far = claimed_in_year(con, year_start, as_of) + len(claimed)
    rate = plan.rate_per_family
    if rate is not None:
        summary += [
            ("rate per family (£)", Pounds(rate)),
            ("amount claimed this period (£)", Pounds(rate * len(claimed))),
        ]
    summary.append((f"families claimed in {year} including this period", so_far))
    if rate is not None:
        summary.append(
            (f"amount claimed in {year} including this period (£)", Pounds(rate * so_far))
        )
    allocation = yearly_allocation(plan, year)
    if allocation is not None:
        summary += [
            (f"yearly allocation {year}", allocation),
            (f"allocation remaining {year}", allocation - so_far),
            (
                f"share of the {year} allocation claimed",
                Share(round(so_far / allocation, 4)) if allocation else None,
            ),
        ]
    return summary


EVIDENCE_SQL = """
select
    c.family_id,
    n.case_id,
    n.criterion,
    p.headline,
    n.need_person,
    n.identified_date,
    n.basis,
    n.identified_by,
    case when n.met then 'yes' else 'no' end as outcome_met,
    n.met_date,
    n.outcome_test,
    -- a source row id is <feed>-<file hash>:<row>, so the staged table is in its name
    array_to_string(list_sort(list_distinct(list_transform(n.source_record_ids,
        lambda x: 'stg_' || split_part(x, '-', 1)))), '; ') as source_tables,
    array_to_string(n.source_record_ids, '; ') as source_rows
from family_need_outcome n
join case_current c using (case_id)
join plan_criterion p using (criterion)
order by c.family_id, n.case_id, n.criterion, n.need_person
"""


def build_workbook_content(
    con: duckdb.DuckDBPyConnection,
    plan: Plan,
    as_of: date,
    decisions: pd.DataFrame,
    model_version: str = MODEL_VERSION,
) -> ClaimWorkbook:
    """The four sheets of SPEC section 5 from the decisions and the evidence tables, and
    the Sources sheet naming the file behind every batch the evidence cites."""
    claimed = decisions[decisions["claimed"]]
    summary = claim_summary(con, plan, as_of, decisions)
    summary += [
        ("rule-set version", plan.version),
        ("plan file", Path(plan.source).name),
        ("plan fingerprint", plan.fingerprint),
        ("linkage model", model_version),
        ("input fingerprint", input_fingerprint(con, plan, model_version)),
    ]
    families = claimed[
        [
            "family_id",
            "case_id",
            "headline_outcomes",
            "headline_count",
            "needs",
            "reclaim",
            "reclaim_basis",
            "data_problems",
        ]
    ]
    not_claimed = decisions[~decisions["claimed"]][
        [
            "family_id",
            "case_id",
            "failed_gates",
            "reasons",
            "earliest_pass_date",
            "still_needs",
            "needs",
            "headline_outcomes",
            "data_problems",
        ]
    ]
    evidence = con.execute(EVIDENCE_SQL).df()
    sources = evidence_sources(con)
    return ClaimWorkbook(summary, families, evidence, not_claimed, as_of, sources)


def run_claim(
    con: duckdb.DuckDBPyConnection, plan: Plan, as_of: date, out: Path, submit: bool = False
) -> ClaimResult:
    """Decide, write the workbook and, with `submit`, record the period in the ledger."""
    log.info("deciding every case as of %s (%s)", as_of, financial_quarter(as_of))
    decisions = decide_cases(con, plan, as_of)
    log.info(
        "decided %d cases: %d claimed, %d not claimed",
        len(decisions),
        int(decisions["claimed"].sum()),
        int((~decisions["claimed"]).sum()),
    )
    content = build_workbook_content(con, plan, as_of, decisions)
    data = render(content)
    fingerprint = str(dict(content.summary)["input fingerprint"])
    # All or nothing (docs/contracts.md, "a claim submission"): the ledger rows and the
    # report page are made in one transaction, and both files are written to temporary
    # files before it commits. A failure or a kill before the commit leaves no trace in
    # the ledger and no file; after it only two renames remain.
    staged: dict[Path, Path] = {}
    try:
        with all_or_nothing(con) if submit else nullcontext(con):
            submission_id = (
                record_submission(
                    con,
                    decisions,
                    as_of=as_of,
                    period=financial_quarter(as_of),
                    plan_version=plan.version,
                    plan_source=plan.source,
                    # File order, not Plan.as_json()'s sorted keys: the summary lists
                    # headlines in the plan's order, so a re-run must see the same order.
                    plan_json=json.dumps(plan.data, separators=(",", ":")),
                    model_version=MODEL_VERSION,
                    input_fingerprint=fingerprint,
                    workbook=data,
                )
                if submit
                else None
            )
            forecast = build_forecast(con, plan, as_of, decided=True)
            page_html = claim_page_html(
                con, plan, as_of, decisions, list(content.summary), forecast.quarters
            )
            page = claim_page_path(out)
            staged = stage_files({out: data, page: page_html.encode()})
    except BaseException:
        discard(staged)
        raise
    for target, temporary in staged.items():
        put_in_place(temporary, target)
    log.info("workbook written: %s%s", out, " (submitted)" if submit else "")
    claimed = decisions[decisions["claimed"]]
    return ClaimResult(
        out,
        len(decisions),
        len(claimed),
        financial_quarter(as_of),
        fingerprint,
        int((claimed["reclaim"] == "yes").sum()),
        submission_id,
        hashlib.sha256(data).hexdigest(),
        page,
    )

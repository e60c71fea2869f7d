"""A claim run: decide every case as of a date, write the workbook, record a submission.

The summary carries the rule-set version and an input fingerprint (the exact files, plan
and linkage model behind the numbers), so a later re-run can show it used the same inputs.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pandas as pd

from claims.decide import decide_cases
from claims.workbook import ClaimWorkbook, write_workbook
from indicators.plan import Plan
from matching.model import MODEL_VERSION

LEDGER_DDL = """
create table if not exists claim_ledger (
    family_id varchar not null,
    case_id varchar not null,
    as_of date not null,
    period varchar not null,
    reclaim boolean not null,
    plan_version varchar not null,
    input_fingerprint varchar not null,
    submitted_at timestamp not null
)
"""


@dataclass(frozen=True)
class ClaimResult:
    workbook: Path
    cases: int
    claimed: int
    period: str
    input_fingerprint: str


def financial_quarter(as_of: date) -> str:
    """The return's period: councils report by financial year quarter (April to March)."""
    start_year = as_of.year if as_of.month >= 4 else as_of.year - 1
    quarter = ((as_of.month - 4) % 12) // 3 + 1
    return f"{start_year}-{(start_year + 1) % 100:02d} Q{quarter}"


def input_fingerprint(con: duckdb.DuckDBPyConnection, plan: Plan) -> str:
    """One hash of every loaded file's bytes, the plan and the linkage model version."""
    files = con.execute(
        "select feed || ':' || file_sha256 from load_batch order by feed, file_sha256"
    ).fetchall()
    digest = hashlib.sha256()
    for (line,) in files:
        digest.update(line.encode() + b"\n")
    digest.update(f"plan:{plan.fingerprint}\nmodel:{MODEL_VERSION}\n".encode())
    return digest.hexdigest()[:16]


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
    array_to_string(n.source_record_ids, '; ') as source_rows
from family_need_outcome n
join case_current c using (case_id)
join plan_criterion p using (criterion)
order by c.family_id, n.case_id, n.criterion, n.need_person
"""


def build_workbook_content(
    con: duckdb.DuckDBPyConnection, plan: Plan, as_of: date, decisions: pd.DataFrame
) -> ClaimWorkbook:
    claimed = decisions[decisions["claimed"]]
    summary: list[tuple[str, object]] = [
        ("council", plan.data.get("council", "")),
        ("period", financial_quarter(as_of)),
        ("as-of date", as_of.isoformat()),
        ("families claimed", len(claimed)),
        ("of which re-claims", int((claimed["reclaim"] == "yes").sum())),
        ("cases decided", len(decisions)),
        ("cases not claimed", len(decisions) - len(claimed)),
    ]
    for code, name in plan.headlines.items():
        count = (
            int(
                claimed["headline_outcomes"]
                .str.split(", ")
                .apply(lambda codes, c=code: c in codes)
                .sum()
            )
            if len(claimed)
            else 0
        )
        summary.append((f"claimed families with a {code} need ({name})", count))
    summary += [
        ("rule-set version", plan.version),
        ("plan file", Path(plan.source).name),
        ("plan fingerprint", plan.fingerprint),
        ("linkage model", MODEL_VERSION),
        ("input fingerprint", input_fingerprint(con, plan)),
    ]
    families = claimed[
        ["family_id", "case_id", "headline_outcomes", "headline_count", "needs", "reclaim"]
    ]
    not_claimed = decisions[~decisions["claimed"]][
        ["family_id", "case_id", "failed_gates", "reasons", "needs", "headline_outcomes"]
    ]
    evidence = con.execute(EVIDENCE_SQL).df()
    return ClaimWorkbook(summary, families, evidence, not_claimed, as_of)


def record_submission(
    con: duckdb.DuckDBPyConnection,
    decisions: pd.DataFrame,
    plan: Plan,
    as_of: date,
    fingerprint: str,
) -> int:
    """Add the claimed families to the ledger that later periods respect."""
    con.execute(LEDGER_DDL)
    claimed = decisions[decisions["claimed"]]
    now = datetime.now(UTC).replace(tzinfo=None)
    con.executemany(
        "insert into claim_ledger values (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                row.family_id,
                row.case_id,
                as_of,
                financial_quarter(as_of),
                row.reclaim == "yes",
                plan.version,
                fingerprint,
                now,
            )
            for row in claimed.itertuples()
        ],
    )
    return len(claimed)


def run_claim(
    con: duckdb.DuckDBPyConnection, plan: Plan, as_of: date, out: Path, submit: bool = False
) -> ClaimResult:
    decisions = decide_cases(con, plan, as_of)
    content = build_workbook_content(con, plan, as_of, decisions)
    write_workbook(out, content)
    fingerprint = dict(content.summary)["input fingerprint"]
    if submit:
        record_submission(con, decisions, plan, as_of, str(fingerprint))
    return ClaimResult(
        out,
        len(decisions),
        int(decisions["claimed"].sum()),
        financial_quarter(as_of),
        str(fingerprint),
    )

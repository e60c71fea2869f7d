"""Fixtures for the claim tests: small hand-made councils staged straight into a warehouse.

A `Case` is one early help case that passes every gate as of 30 September 2025 unless a
test changes it; its rows go into the staged tables and `person_link` directly
(tests/staging.py), so a gate test costs a derive and a decision, not an ingest and a
linkage run. Every council has a referrals feed (one referral of a neighbour, dated late
enough that the feed covers the 6 months after each case's closure), so gate 5 can be
evidenced unless a test takes it away.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import yaml

from claims.decide import decide_cases
from data_contracts.warehouse import connect
from indicators.plan import Plan, load_plan
from tests.staging import Stager, stage_warehouse


def plan_with(folder: Path, section: str, **values: object) -> Plan:
    """A council plan file that extends the national plan and changes `values` in `section`."""
    path = folder / "council-plan.yaml"
    path.write_text(yaml.safe_dump({"extends": "national", section: values}), encoding="utf-8")
    return load_plan(path)


AS_OF = date(2025, 9, 30)
REFERRALS_FEED_DAYS = [
    (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).isoformat()
    for year in range(2024, 2028)
    for month in range(1, 13)
]
"""The council referrals feed: a neighbour's referral (not accepted, not a member) on the last
day of each month of 2024-2027, so at any as-of date the feed covers the months after
closure of the cases these tests decide (SPEC section 3: a feed covers the period its
batches cover; a feed whose only row is years old evidences nothing)."""
TERMS = [
    (y, t)
    for y in ("2023/24", "2024/25", "2025/26", "2026/27")
    for t in ("autumn", "spring", "summer")
]
"""Attendance terms staged for each school-age child: through 2026/27, so a claim as of any
date these tests use finds the latest 2 terms completed before it (SPEC section 3)."""


@dataclass
class Person:
    key: str
    forename: str
    surname: str
    dob: str
    postcode: str = "MK5 6AB"
    upn: str = ""

    def row(self) -> dict[str, Any]:
        """The person columns of a staged row; the key is also their person ID."""
        return {
            "person": self.key,
            "forename": self.forename,
            "surname": self.surname,
            "dob": self.dob,
            "postcode": self.postcode,
            "upn": self.upn,
        }


PARENT = Person("P1", "Gemma", "Walsh", "1988-02-01")
CHILD = Person("C1", "Ruby", "Walsh", "2014-05-06", upn="A000000000001")
NEIGHBOUR = Person("N0", "Alan", "Neighbour", "1960-01-01", postcode="MK1 1AA")


@dataclass
class Case:
    """One early help case that passes every gate as of 30 September 2025 unless changed."""

    case_id: str = "EH1"
    family_ref: str = "FAM1"
    lead: str = "Lead practitioner"
    opened: str = "2023-10-02"
    assessment: str = "2023-10-20"
    action_plan: str = "2023-11-01"
    closed: str = "2024-12-16"
    members: list[tuple[Person, str]] = field(
        default_factory=lambda: [(PARENT, "parent_carer"), (CHILD, "child")]
    )
    # criterion, person key ('' = whole family), identified, achieved ('' = no outcome)
    needs: list[tuple[str, str, str, str]] = field(
        default_factory=lambda: [
            ("MPH2", "P1", "2023-10-20", "2024-11-30"),
            ("REL1", "", "2023-10-20", "2024-11-30"),
            ("FIN2", "", "2023-10-20", "2024-11-30"),
        ]
    )
    # Attendance of each school-age child: term -> sessions absent of 1000 (default 40).
    absent: dict[tuple[str, str], int] = field(default_factory=dict)
    referrals: list[tuple[Person, str, bool]] = field(default_factory=list)


def stage_cases(
    con: duckdb.DuckDBPyConnection,
    cases: list[Case],
    tag: str = "first",
    resend_of: str | None = None,
    referrals_feed: bool = True,
) -> None:
    """One batch per feed named `tag`: the cases, their members, needs and attendance.

    With `resend_of`, each batch corrects (supersedes) the batch of that tag, as a file
    re-sent under the same name does.
    """
    stager = Stager(con, {p.key: p.dob for c in cases for p, _ in c.members})

    def stage(feed: str, rows: list[dict[str, Any]]) -> None:
        old = None
        if resend_of is not None:
            found = con.execute(
                "select batch_id from load_batch where feed = ? and batch_id like ?",
                [feed, f"{feed}-{resend_of}%"],
            ).fetchall()
            old = found[0][0] if found else None
        stager.stage(feed, rows, tag, supersedes=old)

    stage(
        "eh_cases",
        [
            {
                "case_id": c.case_id,
                "family_ref": c.family_ref,
                "lead_practitioner": c.lead,
                "opened_date": c.opened,
                "whole_family_assessment_date": c.assessment,
                "action_plan_date": c.action_plan,
                "closed_date": c.closed,
            }
            for c in cases
        ],
    )
    stage(
        "eh_members",
        [{"case_id": c.case_id, "role": role, **p.row()} for c in cases for p, role in c.members],
    )
    stage(
        "eh_needs",
        [
            {"case_id": c.case_id, "person": who or None, "criterion": code,
             "identified_date": day, "basis": "practitioner"}
            for c in cases
            for code, who, day, _ in c.needs
        ],
    )  # fmt: skip
    stage(
        "eh_outcomes",
        [
            {"case_id": c.case_id, "person": who or None, "criterion": code,
             "achieved_date": done, "evidence": "practitioner_assessed"}
            for c in cases
            for code, who, _, done in c.needs
            if done
        ],
    )  # fmt: skip
    stage(
        "attendance",
        [
            {**p.row(), "school_urn": "100001", "academic_year": year, "term": term,
             "sessions_possible": 1000, "sessions_authorised_absence": 0,
             "sessions_unauthorised_absence": c.absent.get((year, term), 40)}
            for c in cases
            for p, role in c.members
            if role == "child" and p.upn
            for year, term in TERMS
        ],
    )  # fmt: skip
    referrals = [r for c in cases for r in c.referrals]
    if referrals_feed and resend_of is None:
        referrals += [(NEIGHBOUR, day, False) for day in REFERRALS_FEED_DAYS]
    stage(
        "referrals",
        [
            {**p.row(), "referral_date": day, "service": "early_help", "accepted": ok}
            for p, day, ok in referrals
        ],
    )


def build_council(
    folder: Path, cases: list[Case], tag: str = "first", referrals_feed: bool = True
) -> Path:
    """A warehouse file holding the cases (added to what it holds already)."""
    warehouse = folder / "w.duckdb"
    con = stage_warehouse(str(warehouse))
    try:
        stage_cases(con, cases, tag, referrals_feed=referrals_feed)
    finally:
        con.close()
    return warehouse


def resend(warehouse: Path, cases: list[Case], tag: str, resend_of: str | None = None) -> None:
    """A later extract: new batches, or corrections superseding the batches of `resend_of`."""
    with connect(warehouse) as con:
        stage_cases(con, cases, tag, resend_of=resend_of)


def decide(warehouse: Path, as_of: date = AS_OF, plan: Plan | None = None) -> pd.DataFrame:
    with connect(warehouse) as con:
        return decide_cases(con, plan or load_plan(), as_of).set_index("case_id")


# --- given/expected claim cases (tests/claims/cases/*.yaml) ---------------------------------

CASES_DIR = Path(__file__).parent / "cases"
STANDARD_NEEDS = [
    {"criterion": "MPH2", "person": "parent"},
    {"criterion": "REL1"},
    {"criterion": "FIN2"},
]
"""Three recorded needs under three headlines, identified 2023-10-20 and met 2024-11-30."""
CASE_DEFAULTS = {
    "opened": "2023-10-02",
    "assessment": "2023-10-20",
    "action_plan": "2023-11-01",
    "closed": "2024-12-16",
}


def claim_case_description(given: dict[str, Any]) -> dict[str, Any]:
    """A claim case in the staging format: each case passes every gate unless it says not.

    Defaults per case: the dates above, members parent and child, the standard needs
    (`needs:` replaces them, `[]` for none), 96% attendance every term for each member with
    role child (`absent:` per term of 1000 sessions changes it), and a council referrals
    feed (a neighbour's referral) unless `referrals_feed: false`.
    """
    cases, needs, outcomes, attendance = [], [], [], []
    for spec in given.get("cases") or [{"id": "EH1"}]:
        case = {**CASE_DEFAULTS, "family_ref": "FAM1", **spec}
        case.setdefault("members", {"parent": "parent_carer", "child": "child"})
        cases.append(case)
        for need in case.pop("needs", STANDARD_NEEDS):
            row = {"case": case["id"], "identified_date": "2023-10-20", **need}
            needs.append({k: v for k, v in row.items() if k != "achieved_date"})
            if row.get("achieved_date", "2024-11-30"):
                outcomes.append(
                    {"case": case["id"], "criterion": row["criterion"],
                     "person": row.get("person"),
                     "achieved_date": row.get("achieved_date", "2024-11-30")}
                )  # fmt: skip
        absent = case.pop("absent", {})
        for key, role in case["members"].items():
            if (role if isinstance(role, str) else role.get("role")) != "child":
                continue
            # `absent` per term for every child, or per child key (`none` = no rows at all)
            own = absent.get(key, absent)
            if own == "none" or any(r["person"] == key for r in attendance):
                continue
            attendance += [
                {"person": key, "upn": f"UPN-{key}", "academic_year": year, "term": term,
                 "sessions_possible": 1000,
                 "sessions_unauthorised_absence": own.get(f"{year} {term}", 40)}
                for year, term in TERMS
            ]  # fmt: skip
    rows = {key: list(value) for key, value in (given.get("rows") or {}).items()}
    if attendance and "attendance" not in rows:
        rows["attendance"] = attendance
    if given.get("referrals_feed", True):
        rows.setdefault("referrals", []).extend(
            {"person": "neighbour", "referral_date": day, "accepted": False}
            for day in REFERRALS_FEED_DAYS
        )
    return {
        **given,
        "cases": cases,
        "rows": rows,
        "eh_needs": needs + list(given.get("eh_needs") or []),
        "eh_outcomes": outcomes + list(given.get("eh_outcomes") or []),
    }


def stage_history(con: duckdb.DuckDBPyConnection, history: list[dict[str, Any]]) -> None:
    """Earlier claims in the ledger, as an import or a submission would have left them.

    Each: `claim` (its key), `date`, optional `case` and `family_ref`, and `members`
    (`key: role`, or `key: {role: ..., link: false}` for a member who links to no one now).
    """
    from claims.ledger import ensure_ledger

    ensure_ledger(con)
    con.execute(
        "insert into claim_submission (submission_id, kind, submitted_at, families) "
        "values (1, 'historic_import', timestamp '2020-01-01', ?)",
        [len(history)],
    )
    for claim in history:
        family_ref = claim.get("family_ref")
        con.execute(
            "insert into claim_ledger values (1, ?, case when ? is null then null "
            "else 'F' || substr(md5(?), 1, 10) end, ?, ?, ?, null, false)",
            [claim["claim"], family_ref, family_ref, claim.get("case"), claim["claim"],
             claim["date"]],
        )  # fmt: skip
        for key, value in claim["members"].items():
            role, linked = (
                (value, True)
                if isinstance(value, str)
                else (value["role"], value.get("link", True))
            )
            con.execute(
                "insert into claim_ledger_member values (1, ?, ?, ?, ?)",
                [claim["claim"], role, key if linked else None, key if linked else None],
            )


def load_claim_cases() -> list[dict[str, Any]]:
    cases = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")):
            cases.append({**case, "file": path.name})
    return cases

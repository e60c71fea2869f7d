"""A small hand-made family case: feed rows written to an inbox, ingested, linked, derived.

Cases in tests/indicators/cases/*.yaml name people by a short key (`child`, `teen`,
`parent`, ...); the harness writes each feed's person columns for them, so linkage joins
the rows to the case member exactly as it would a council's extracts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from data_contracts.ingest import ingest_inbox
from data_contracts.warehouse import connect
from indicators.plan import load_plan
from indicators.runner import derive_indicators
from matching.link import link_warehouse
from tests.conftest import write_csv

CASES_DIR = Path(__file__).parent / "cases"
# key -> forename, surname, dob, upn, nino
PEOPLE: dict[str, tuple[str, str, str, str, str]] = {
    "parent": ("Gemma", "Walsh", "1988-02-01", "", "QQ123456C"),
    "partner": ("Dean", "Walsh", "1986-09-14", "", "QQ654321A"),
    "child": ("Ruby", "Walsh", "2014-05-06", "A000000000001", ""),
    "teen": ("Liam", "Walsh", "2008-03-10", "A000000000002", "QQ111222B"),
    "young": ("Mia", "Walsh", "2007-06-01", "A000000000003", "QQ333444D"),
}
POSTCODE = "MK5 6AB"
PERSON_HEADER = ["source_person_id", "forename", "surname", "dob", "postcode", "upn", "nino"]
FEED_COLUMNS = {
    "police": ["incident_id", "event_date", "event_type", "severe_offence"],
    "housing": ["household_ref", "event_date", "event_type", "amount"],
    "dwp": ["month", "benefit", "work_status"],
    "neet": ["month", "status"],
    "csc": ["plan_type", "start_date", "end_date"],
    "exclusions": ["school_urn", "start_date", "category", "days_lost"],
    "attendance": [
        "school_urn",
        "academic_year",
        "term",
        "sessions_possible",
        "sessions_authorised_absence",
        "sessions_unauthorised_absence",
    ],
    "referrals": ["referral_date", "service", "accepted"],
}
DEFAULTS: dict[str, dict[str, Any]] = {
    "police": {"severe_offence": "false"},
    "housing": {"household_ref": "HR1"},
    "dwp": {"benefit": "universal_credit"},
    "exclusions": {"school_urn": "100001", "category": "suspension"},
    "attendance": {"school_urn": "100001", "sessions_authorised_absence": 0},
}


@dataclass(frozen=True)
class CaseResult:
    """What the indicator tables say about the one case, with people named by key."""

    needs: set[tuple[str, str, date]]
    outcomes: dict[str, bool]
    outcome_tests: dict[str, str]
    status: dict[str, str]
    extra: dict[str, list[tuple[Any, ...]]]


def person_values(feed: str, key: str) -> list[str]:
    forename, surname, dob, upn, nino = PEOPLE[key]
    return [f"{feed[:3].upper()}-{key}", forename, surname, dob, POSTCODE, upn, nino]


def write_plan(folder: Path, overrides: dict[str, Any] | None) -> Path | None:
    if not overrides:
        return None
    path = folder / "plan.yaml"
    path.write_text(yaml.safe_dump({"extends": "national", **overrides}), encoding="utf-8")
    return path


def run_case(
    tmp_path: Path,
    case: dict[str, Any],
    plan_path: Path | None = None,
    queries: dict[str, str] | None = None,
) -> CaseResult:
    """Build one case from its description, derive every indicator, and read them back.

    `queries` are run on the derived warehouse, people's IDs replaced by their keys.
    """
    inbox = tmp_path / "inbox"
    spec = case["case"]
    write_csv(
        inbox / "eh_cases" / "x.csv",
        [
            "case_id",
            "family_ref",
            "lead_practitioner",
            "opened_date",
            "whole_family_assessment_date",
            "action_plan_date",
            "closed_date",
        ],
        [["EH1", "FAM1", "Lead", spec["opened"], spec["opened"], spec["opened"], spec["closed"]]],
    )
    members = case.get("members", {"parent": "parent_carer", "child": "child"})
    write_csv(
        inbox / "eh_members" / "x.csv",
        ["case_id", "role", *PERSON_HEADER],
        [["EH1", role, *person_values("eh_members", key)] for key, role in members.items()],
    )
    for feed, rows in case.get("rows", {}).items():
        header = PERSON_HEADER + FEED_COLUMNS[feed]
        body = []
        for row in rows:
            values = {**DEFAULTS.get(feed, {}), **row}
            body.append(
                person_values(feed, values["person"])
                + [values.get(column, "") for column in FEED_COLUMNS[feed]]
            )
        write_csv(inbox / feed / "x.csv", header, body)
    for feed, columns in (
        ("eh_needs", ["criterion", "identified_date", "basis"]),
        ("eh_outcomes", ["criterion", "achieved_date", "evidence"]),
    ):
        rows = case.get(feed, [])
        if rows:
            write_csv(
                inbox / feed / "x.csv",
                ["case_id", "source_person_id", *columns],
                [
                    [
                        "EH1",
                        f"EH_-{r['person']}" if r.get("person") else "",
                        *(r[c] for c in columns),
                    ]
                    for r in rows
                ],
            )
    plan = load_plan(plan_path or write_plan(tmp_path, case.get("plan")))
    as_of = case.get("as_of", date(2025, 9, 30))
    with connect(tmp_path / "w.duckdb") as con:
        reports = ingest_inbox(con, inbox)
        assert all(r.rows_quarantined == 0 for r in reports), [r.line() for r in reports]
        link_warehouse(con, plan.matching["link_threshold"])
        derive_indicators(con, plan, as_of)
        key_of = dict(
            con.execute(
                "select person_id, split_part(source_person_id, '-', 2) from family_member"
            ).fetchall()
        )
        needs = con.execute(
            "select criterion, need_person, identified_date from family_need "
            "where basis like '%data%'"
        ).fetchall()
        outcomes = con.execute(
            "select criterion, bool_and(met), string_agg(outcome_test, ' | ') "
            "from family_need_outcome group by criterion"
        ).fetchall()
        status = con.execute("select criterion, status from family_criterion_status").fetchall()
        # Sorted after the keys replace the IDs: a person ID is a digest, so the order of
        # rows by ID says nothing about the case.
        extra = {
            name: sorted(
                (tuple(key_of.get(v, v) for v in row) for row in con.execute(sql).fetchall()),
                key=repr,
            )
            for name, sql in (queries or {}).items()
        }
    return CaseResult(
        needs={(c, key_of.get(p, p), d) for c, p, d in needs},
        outcomes={c: bool(m) for c, m, _ in outcomes},
        outcome_tests={c: t for c, _, t in outcomes},
        status=dict(status),
        extra=extra,
    )


def load_cases() -> list[dict[str, Any]]:
    """Every given/expected case, in file then list order."""
    cases = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")):
            cases.append({**case, "file": path.name})
    return cases

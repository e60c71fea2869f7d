"""Fixtures for the claim tests: plans with a setting changed, small hand-made councils."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
import yaml

from claims.decide import decide_cases
from data_contracts.ingest import ingest_inbox
from data_contracts.warehouse import connect
from indicators.plan import Plan, load_plan
from matching.link import link_warehouse
from tests.conftest import write_csv


def plan_with(folder: Path, section: str, **values: object) -> Plan:
    """A council plan file that extends the national plan and changes `values` in `section`."""
    path = folder / "council-plan.yaml"
    path.write_text(yaml.safe_dump({"extends": "national", section: values}), encoding="utf-8")
    return load_plan(path)


AS_OF = date(2025, 9, 30)
PERSON_HEADER = ["source_person_id", "forename", "surname", "dob", "postcode", "upn"]
TERMS = [(y, t) for y in ("2023/24", "2024/25") for t in ("autumn", "spring", "summer")]


@dataclass
class Person:
    key: str
    forename: str
    surname: str
    dob: str
    postcode: str = "MK5 6AB"
    upn: str = ""

    def columns(self) -> list[str]:
        return [self.key, self.forename, self.surname, self.dob, self.postcode, self.upn]


PARENT = Person("P1", "Gemma", "Walsh", "1988-02-01")
CHILD = Person("C1", "Ruby", "Walsh", "2014-05-06", upn="A000000000001")


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


def write_batch(inbox: Path, tag: str, cases: list[Case]) -> Path:
    """One file per feed named `tag`: the cases, their members, needs and attendance."""
    write_csv(
        inbox / "eh_cases" / f"{tag}.csv",
        [
            "case_id",
            "family_ref",
            "lead_practitioner",
            "opened_date",
            "whole_family_assessment_date",
            "action_plan_date",
            "closed_date",
        ],
        [
            [c.case_id, c.family_ref, c.lead, c.opened, c.assessment, c.action_plan, c.closed]
            for c in cases
        ],
    )
    write_csv(
        inbox / "eh_members" / f"{tag}.csv",
        ["case_id", "role", *PERSON_HEADER],
        [[c.case_id, role, *p.columns()] for c in cases for p, role in c.members],
    )
    write_csv(
        inbox / "eh_needs" / f"{tag}.csv",
        ["case_id", "source_person_id", "criterion", "identified_date", "basis"],
        [
            [c.case_id, who, code, day, "practitioner"]
            for c in cases
            for code, who, day, _ in c.needs
        ],
    )
    write_csv(
        inbox / "eh_outcomes" / f"{tag}.csv",
        ["case_id", "source_person_id", "criterion", "achieved_date", "evidence"],
        [
            [c.case_id, who, code, done, "practitioner_assessed"]
            for c in cases
            for code, who, _, done in c.needs
            if done
        ],
    )
    children = [(c, p) for c in cases for p, role in c.members if role == "child" and p.upn]
    write_csv(
        inbox / "attendance" / f"{tag}.csv",
        [
            *PERSON_HEADER,
            "school_urn",
            "academic_year",
            "term",
            "sessions_possible",
            "sessions_authorised_absence",
            "sessions_unauthorised_absence",
        ],
        [
            [
                "S" + p.key,
                *p.columns()[1:],
                "100001",
                year,
                term,
                1000,
                0,
                c.absent.get((year, term), 40),
            ]
            for c, p in children
            for year, term in TERMS
        ],
    )
    referrals = [r for c in cases for r in c.referrals]
    if referrals:
        write_csv(
            inbox / "referrals" / f"{tag}.csv",
            [*PERSON_HEADER, "referral_date", "service", "accepted"],
            [["R" + p.key, *p.columns()[1:], day, "early_help", ok] for p, day, ok in referrals],
        )
    return inbox


def load_council(warehouse: Path, inbox: Path) -> None:
    """Ingest the inbox and re-link, as a nightly run's plain functions do."""
    with connect(warehouse) as con:
        ingest_inbox(con, inbox)
        link_warehouse(con, load_plan().matching["link_threshold"])


def build_council(folder: Path, cases: list[Case], tag: str = "first") -> Path:
    warehouse = folder / "w.duckdb"
    load_council(warehouse, write_batch(folder / f"inbox-{tag}", tag, cases))
    return warehouse


def decide(warehouse: Path, as_of: date = AS_OF, plan: Plan | None = None) -> pd.DataFrame:
    with connect(warehouse) as con:
        return decide_cases(con, plan or load_plan(), as_of).set_index("case_id")

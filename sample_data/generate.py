"""Write a synthetic council's inbox and its ground truth (`sfp sample`).

Layout written under OUT:
  inbox/<feed>/<batch>.csv      every feed of SPEC section 1, termly or monthly batches
  truth/source_rows.csv         feed, file, row number -> true person id
  truth/people.csv              true person id -> household
  truth/case_members.csv        case id -> true person id and role
  truth/expected_decisions.csv  case id -> scenario, failed gates, expected claim
  truth/scenario.json           seed, households, as-of date the decisions hold for
"""

from __future__ import annotations

import csv
import json
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sample_data.population import (
    ACADEMIC_YEARS,
    TERMS,
    Household,
    HouseholdShape,
    Person,
    make_household,
    school_age_in,
    stable_token,
)
from sample_data.scenarios import AS_OF, GATE_NAMES, GOOD_ATTENDANCE, SCENARIOS, CasePlan

GENERATOR_VERSION = "sample-1"
CASE_SHARE = 0.3
"""Share of households worked with by early help (the rest give other feeds' noise)."""
CP1252_FEEDS = ("police",)
"""Feeds whose extracts arrive in Windows-1252, as some partner systems still send."""
UK_DATE_FEEDS = ("housing",)
"""Feeds whose extracts write dates as DD/MM/YYYY."""
SOURCE_PREFIX = {
    "attendance": "SCH",
    "exclusions": "SCH",
    "police": "POL",
    "housing": "HSG",
    "dwp": "DWP",
    "neet": "CCIS",
    "csc": "CSC",
    "referrals": "REF",
    "eh_members": "EH",
}
TYPO_RATE = 0.03


@dataclass
class Row:
    batch: str
    values: dict[str, object]
    true_id: str | None


class CouncilWriter:
    """Collects rows per feed and batch, then writes files and truth in one pass."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.rng = random.Random(seed * 7919 + 1)
        self.rows: dict[str, list[Row]] = defaultdict(list)
        self.people: list[tuple[str, str]] = []
        self.members: list[tuple[str, str, str]] = []
        self.decisions: list[dict[str, object]] = []

    def person_columns(
        self, feed: str, person: Person, household: Household, exact: bool = False
    ) -> dict[str, object]:
        forename = person.forename
        if not exact and len(forename) > 3 and self.rng.random() < TYPO_RATE:
            at = self.rng.randrange(1, len(forename) - 1)
            forename = forename[:at] + forename[at + 1] + forename[at] + forename[at + 2 :]
        postcode = household.postcode
        if not exact and self.rng.random() < 0.1:
            postcode = postcode.replace(" ", "").lower()
        return {
            "source_person_id": SOURCE_PREFIX[feed] + stable_token(self.seed, feed, person.true_id),
            "forename": forename,
            "surname": person.surname,
            "dob": person.dob,
            "sex": person.sex,
            "postcode": postcode,
            "address": household.address,
            "upn": person.upn if feed in ("attendance", "exclusions", "eh_members") else None,
            "nino": person.nino if feed in ("dwp", "eh_members") else None,
            "nhs_number": person.nhs_number if feed in ("csc", "eh_members") else None,
        }

    def add(
        self, feed: str, batch: str, values: dict[str, object], person: Person | None = None
    ) -> None:
        self.rows[feed].append(Row(batch, values, person.true_id if person else None))

    def attendance(
        self, person: Person, household: Household, rates: dict[tuple[str, str], float]
    ) -> None:
        for year in ACADEMIC_YEARS:
            if not school_age_in(person.dob, year):
                continue
            for term in TERMS:
                rate = rates.get((year, term), GOOD_ATTENDANCE + self.rng.uniform(-0.03, 0.03))
                possible = self.rng.randrange(140, 192, 2)
                absent = round(possible * (1 - rate))
                authorised = absent // 2
                self.add(
                    "attendance",
                    f"{year.replace('/', '-')}-{term}",
                    {
                        **self.person_columns("attendance", person, household),
                        "school_urn": f"1{stable_token(household.postcode[:4], length=5)}",
                        "academic_year": year,
                        "term": term,
                        "sessions_possible": possible,
                        "sessions_authorised_absence": authorised,
                        "sessions_unauthorised_absence": absent - authorised,
                    },
                    person,
                )


def month_batch(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _plant_case(
    writer: CouncilWriter, number: int, household: Household, scenario_index: int
) -> None:
    scenario = SCENARIOS[scenario_index % len(SCENARIOS)]
    plan: CasePlan = scenario.build()
    case_id = f"EH{number:06d}"
    family_ref = f"FAM{stable_token(writer.seed, household.household_id, length=8)}"
    extract = f"extract-{AS_OF.isoformat()}"
    writer.add(
        "eh_cases",
        extract,
        {
            "case_id": case_id,
            "family_ref": family_ref,
            "lead_practitioner": plan.lead,
            "opened_date": plan.opened,
            "whole_family_assessment_date": plan.assessment,
            "action_plan_date": plan.action_plan,
            "closed_date": plan.closed,
        },
    )
    for index, person in enumerate(household.members):
        role = plan.roles.get(index, "child" if person.is_child else "parent_carer")
        values = writer.person_columns("eh_members", person, household, exact=True)
        writer.add("eh_members", extract, {**values, "case_id": case_id, "role": role}, person)
        writer.members.append((case_id, person.true_id, role))
    for criterion, member, identified, achieved in plan.needs:
        person_key = (
            None
            if member is None
            else writer.person_columns(
                "eh_members", household.members[member], household, exact=True
            )["source_person_id"]
        )
        writer.add(
            "eh_needs",
            extract,
            {
                "case_id": case_id,
                "source_person_id": person_key,
                "criterion": criterion,
                "identified_date": identified,
                "basis": "practitioner",
            },
        )
        if achieved is not None:
            writer.add(
                "eh_outcomes",
                extract,
                {
                    "case_id": case_id,
                    "source_person_id": person_key,
                    "criterion": criterion,
                    "achieved_date": achieved,
                    "evidence": "practitioner_assessed",
                },
            )
    school_children = [p for p in household.children if school_age_in(p.dob, "2024/25")]
    for position, child in enumerate(school_children):
        writer.attendance(child, household, plan.attendance if position == 0 else {})
    if plan.referral:
        day, accepted = plan.referral
        child = household.members[-1]
        writer.add(
            "referrals",
            month_batch(day),
            {
                **writer.person_columns("referrals", child, household),
                "referral_date": day,
                "service": "early_help",
                "accepted": accepted,
            },
            child,
        )
    writer.decisions.append(
        {
            "case_id": case_id,
            "family_ref": family_ref,
            "scenario": scenario.name,
            "description": scenario.description,
            "as_of": AS_OF.isoformat(),
            "failed_gates": ";".join(str(g) for g in scenario.fails),
            "reasons": "; ".join(f"gate {g}: {GATE_NAMES[g]}" for g in scenario.fails),
            "expected_claim": "no" if scenario.fails else "yes",
            "expected_claim_gates_1_5": "no" if any(g <= 5 for g in scenario.fails) else "yes",
        }
    )


def _other_feeds(writer: CouncilWriter, household: Household) -> None:
    """Rows for households early help is not working with: the rest of the council."""
    rng = writer.rng
    for child in household.children:
        poor = rng.random() < 0.1
        rates = (
            {(y, t): rng.uniform(0.6, 0.88) for y in ACADEMIC_YEARS for t in TERMS} if poor else {}
        )
        writer.attendance(child, household, rates)
        if rng.random() < 0.03 and school_age_in(child.dob, "2024/25"):
            day = date(2024, 11, 1) + timedelta(days=rng.randrange(200))
            writer.add(
                "exclusions",
                month_batch(day),
                {
                    **writer.person_columns("exclusions", child, household),
                    "school_urn": "100001",
                    "start_date": day,
                    "category": "suspension",
                    "days_lost": rng.choice([0.5, 1, 2, 3]),
                },
                child,
            )
        if rng.random() < 0.02:
            day = date(2024, 1, 1) + timedelta(days=rng.randrange(500))
            writer.add(
                "csc",
                month_batch(day),
                {
                    **writer.person_columns("csc", child, household),
                    "plan_type": "cin",
                    "start_date": day,
                    "end_date": None,
                },
                child,
            )
    for adult in household.adults:
        if rng.random() < 0.08:
            for _ in range(rng.randint(1, 3)):
                day = date(2024, 1, 1) + timedelta(days=rng.randrange(600))
                writer.add(
                    "police",
                    month_batch(day),
                    {
                        **writer.person_columns("police", adult, household),
                        "incident_id": f"INC{stable_token(writer.seed, adult.true_id, day)}",
                        "event_date": day,
                        "event_type": rng.choice(["offence", "arrest", "asb"]),
                        "severe_offence": "false",
                    },
                    adult,
                )
        if rng.random() < 0.25:
            status = rng.choice(["out_of_work", "in_work"])
            for month in range(12):
                day = date(2024 + (month + 9) // 12, (month + 9) % 12 + 1, 1)
                writer.add(
                    "dwp",
                    month_batch(day),
                    {
                        **writer.person_columns("dwp", adult, household),
                        "month": month_batch(day),
                        "benefit": "universal_credit",
                        "work_status": status,
                    },
                    adult,
                )
        if rng.random() < 0.04:
            day = date(2024, 3, 1) + timedelta(days=rng.randrange(400))
            writer.add(
                "housing",
                month_batch(day),
                {
                    **writer.person_columns("housing", adult, household),
                    "household_ref": f"HR{stable_token(household.household_id)}",
                    "event_date": day,
                    "event_type": "rent_arrears",
                    "amount": rng.randint(200, 3000),
                },
                adult,
            )
        if rng.random() < 0.02:
            day = date(2024, 5, 1) + timedelta(days=rng.randrange(400))
            writer.add(
                "referrals",
                month_batch(day),
                {
                    **writer.person_columns("referrals", adult, household),
                    "referral_date": day,
                    "service": "early_help",
                    "accepted": rng.random() < 0.5,
                },
                adult,
            )


FEED_COLUMNS = {
    "attendance": [
        "upn",
        "school_urn",
        "academic_year",
        "term",
        "sessions_possible",
        "sessions_authorised_absence",
        "sessions_unauthorised_absence",
    ],
    "exclusions": ["upn", "school_urn", "start_date", "category", "days_lost"],
    "police": ["incident_id", "event_date", "event_type", "severe_offence"],
    "housing": ["household_ref", "event_date", "event_type", "amount"],
    "dwp": ["nino", "month", "benefit", "work_status"],
    "neet": ["month", "status"],
    "csc": ["plan_type", "start_date", "end_date"],
    "referrals": ["referral_date", "service", "accepted"],
    "eh_cases": [
        "case_id",
        "family_ref",
        "lead_practitioner",
        "opened_date",
        "whole_family_assessment_date",
        "action_plan_date",
        "closed_date",
    ],
    "eh_members": ["case_id", "role"],
    "eh_needs": ["case_id", "source_person_id", "criterion", "identified_date", "basis"],
    "eh_outcomes": ["case_id", "source_person_id", "criterion", "achieved_date", "evidence"],
}
PERSON_HEADER = [
    "source_person_id",
    "forename",
    "surname",
    "dob",
    "sex",
    "postcode",
    "address",
    "upn",
    "nino",
    "nhs_number",
]


def _cell(value: object, uk_dates: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y") if uk_dates else value.isoformat()
    return str(value)


def _write_files(writer: CouncilWriter, out: Path) -> None:
    truth_rows: list[tuple[str, str, int, str]] = []
    for feed, own_columns in FEED_COLUMNS.items():
        folder = out / "inbox" / feed
        folder.mkdir(parents=True, exist_ok=True)
        person_feed = feed in SOURCE_PREFIX
        header = [c for c in PERSON_HEADER if c not in own_columns] if person_feed else []
        header += own_columns
        by_batch: dict[str, list[Row]] = defaultdict(list)
        for row in writer.rows.get(feed, []):
            by_batch[row.batch].append(row)
        encoding = "cp1252" if feed in CP1252_FEEDS else "utf-8"
        for batch in sorted(by_batch):
            name = f"{batch}.csv"
            with open(
                folder / name, "w", newline="", encoding=encoding, errors="replace"
            ) as handle:
                out_csv = csv.writer(handle)
                out_csv.writerow(header)
                for number, row in enumerate(by_batch[batch], start=2):
                    out_csv.writerow(
                        [_cell(row.values.get(c), feed in UK_DATE_FEEDS) for c in header]
                    )
                    if row.true_id:
                        truth_rows.append((feed, name, number, row.true_id))
    truth = out / "truth"
    truth.mkdir(parents=True, exist_ok=True)
    _write_csv(
        truth / "source_rows.csv", ["feed", "file_name", "row_number", "true_person_id"], truth_rows
    )
    _write_csv(truth / "people.csv", ["true_person_id", "household_id"], writer.people)
    _write_csv(truth / "case_members.csv", ["case_id", "true_person_id", "role"], writer.members)
    keys = list(writer.decisions[0]) if writer.decisions else ["case_id"]
    _write_csv(
        truth / "expected_decisions.csv", keys, [[d[k] for k in keys] for d in writer.decisions]
    )


def _write_csv(path: Path, header: list[str], rows: list) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(header)
        out.writerows(rows)


def write_sample(out: Path, households: int = 300, seed: int = 1) -> dict[str, object]:
    """Write the inbox and truth for `households` households; the same seed, the same bytes."""
    if households < 1:
        raise ValueError("households must be at least 1")
    writer = CouncilWriter(seed)
    rng = random.Random(seed)
    n_cases = (
        max(len(SCENARIOS), round(households * CASE_SHARE))
        if households >= len(SCENARIOS)
        else households
    )
    for number in range(households):
        if number < n_cases:
            shape = SCENARIOS[number % len(SCENARIOS)].shape
        else:
            shape = HouseholdShape(
                adults=rng.randint(1, 2),
                school_children=rng.randint(0, 3),
                young_children=rng.randint(0, 1),
            )
        household = make_household(rng, seed, number, shape, AS_OF)
        writer.people.extend((p.true_id, household.household_id) for p in household.members)
        if number < n_cases:
            _plant_case(writer, number, household, number)
        else:
            _other_feeds(writer, household)
    _write_files(writer, out)
    summary: dict[str, object] = {
        "generator": GENERATOR_VERSION,
        "seed": seed,
        "households": households,
        "as_of": AS_OF.isoformat(),
        "cases": len(writer.decisions),
        "expected_claims": sum(d["expected_claim"] == "yes" for d in writer.decisions),
    }
    (out / "truth" / "scenario.json").write_text(json.dumps(summary, indent=2) + "\n")
    return summary

"""Write a synthetic council's inbox and its ground truth (`sfp sample`).

Layout written under OUT:
  inbox/<feed>/<batch>.csv      every feed of SPEC section 1: monthly batches, termly for
                                attendance, so nightly loads can be replayed batch by batch
  historic_claims.csv           members of past claims (for `sfp import-claims`, gate 7)
  truth/source_rows.csv         feed, file, row number -> true person id
  truth/people.csv              true person id -> household
  truth/case_members.csv        case id -> true person id and role
  truth/expected_decisions.csv  case id -> scenario, failed gates, expected claim, requires
  truth/worklist.csv            families with needs in data and no early help case
  truth/worklist_households.csv the planted worklist families and look-alikes: listed or not
  truth/scenario.json           seed, households, noise rates, as-of date

Rows are written as they are made (one open file per batch), so memory stays flat however
many households are asked for.
"""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Sequence
from dataclasses import asdict
from datetime import date, timedelta
from pathlib import Path
from typing import IO, Any

from claims.historic import HISTORIC_COLUMNS
from sample_data import names
from sample_data.hard_cases import plant_hard_cases
from sample_data.noise import (
    NoiseRates,
    dob_as_recorded,
    forename_as_recorded,
    postcode_as_recorded,
)
from sample_data.population import (
    ACADEMIC_YEARS,
    TERMS,
    Household,
    HouseholdShape,
    LifeRates,
    Person,
    age_on,
    make_household,
    random_day,
    school_age_in,
    stable_token,
)
from sample_data.scenarios import (
    AS_OF,
    GATE_NAMES,
    GOOD_ATTENDANCE,
    SCENARIOS,
    WORKLIST_SCENARIOS,
    Attendance,
    CasePlan,
    Event,
    Scenario,
    WorklistScenario,
)
from sample_data.scenarios.model import STRANGER

GENERATOR_VERSION = "sample-2"
CASE_SHARE = 0.3
"""Share of households worked with by early help (the rest give other feeds' noise)."""
WORKLIST_SHARE = 0.01
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
    "historic_claims": "EH",
}
IDENTIFIERS = {
    "attendance": ("upn",),
    "exclusions": ("upn",),
    "dwp": ("nino",),
    "housing": ("nino",),
    "neet": ("upn",),
    "csc": ("nhs_number",),
    "referrals": ("nhs_number",),
    "eh_members": ("upn", "nino", "nhs_number"),
    "historic_claims": ("upn", "nino", "nhs_number"),
}
REQUIRED_IDENTIFIERS = {"attendance": "upn", "exclusions": "upn", "dwp": "nino"}
"""The contract refuses these rows without their identifier, so noise never blanks them."""
SAFE_TO_REPEAT = ("dwp", "neet", "housing", "csc", "referrals")
"""Feeds where a repeated row cannot change a planted decision (a month, a plan, an event
already counted once by its presence). Police and attendance repeats are planted only in
households early help does not work with, where no decision rests on a count."""

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
HISTORIC_CLAIM_HEADER = list(HISTORIC_COLUMNS)
DECISION_HEADER = [
    "case_id",
    "family_ref",
    "scenario",
    "description",
    "as_of",
    "failed_gates",
    "reasons",
    "expected_claim",
    "expected_claim_gates_1_5",
    "requires",
    "expected_reclaim",
]
TERM_DATES = {"autumn": (9, 1), "spring": (1, 1), "summer": (4, 1)}
SECOND_CASE = "/second"
"""The truth's scenario label of a household's second case (`<scenario>/second`)."""


def _cell(value: object, uk_dates: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y") if uk_dates else value.isoformat()
    return str(value)


def month_batch(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def add_months(day: date, count: int) -> date:
    """`day` moved by whole calendar months, clamped to the month's last day."""
    month0 = day.year * 12 + day.month - 1 + count
    year, month = divmod(month0, 12)
    for last in (31, 30, 29, 28):
        try:
            return date(year, month + 1, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


class _CsvOut:
    """One CSV file written row by row, counting its rows for the truth."""

    def __init__(self, path: Path, header: list[str], encoding: str = "utf-8") -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        # A name the encoding cannot hold comes out as "?" (Wi?niewski), as it does from
        # partner systems that still export Windows-1252.
        self.handle: IO[str] = open(path, "w", newline="", encoding=encoding, errors="replace")
        self.writer = csv.writer(self.handle)
        self.writer.writerow(header)
        self.rows = 1

    def write(self, row: Sequence[object]) -> int:
        self.writer.writerow(row)
        self.rows += 1
        return self.rows

    def close(self) -> None:
        self.handle.close()


class CouncilWriter:
    """Streams feed rows into their batch files and the truth files beside them."""

    def __init__(self, out: Path, seed: int, noise: NoiseRates) -> None:
        self.out = out
        self.seed = seed
        self.noise = noise
        self.rng = random.Random(seed * 7919 + 1)
        self.batches: dict[tuple[str, str], _CsvOut] = {}
        self.headers: dict[str, list[str]] = {}
        for feed, own in FEED_COLUMNS.items():
            person_feed = feed in SOURCE_PREFIX
            header = [c for c in PERSON_HEADER if c not in own] if person_feed else []
            self.headers[feed] = header + own
        truth = out / "truth"
        self.source_rows = _CsvOut(
            truth / "source_rows.csv", ["feed", "file_name", "row_number", "true_person_id"]
        )
        self.people = _CsvOut(truth / "people.csv", ["true_person_id", "household_id"])
        self.members = _CsvOut(truth / "case_members.csv", ["case_id", "true_person_id", "role"])
        self.decisions = _CsvOut(truth / "expected_decisions.csv", DECISION_HEADER)
        self.worklist = _CsvOut(
            truth / "worklist.csv",
            ["household_id", "true_person_id", "criterion", "first_evidence", "scenario"],
        )
        self.worklist_households = _CsvOut(
            truth / "worklist_households.csv", ["household_id", "scenario", "listed", "why"]
        )
        self.historic = _CsvOut(out / "historic_claims.csv", HISTORIC_CLAIM_HEADER)
        self.case_count = 0
        self.claim_count = 0
        self.keep_postcode = False
        self.scenario_counts: dict[str, int] = {}

    def close(self) -> None:
        for handle in self.batches.values():
            handle.close()
        for item in (
            self.source_rows,
            self.people,
            self.members,
            self.decisions,
            self.worklist,
            self.worklist_households,
            self.historic,
        ):
            item.close()
        if self.historic.rows == 1:
            # A small sample may hold no family claimed before: like a council with no
            # past claims it sends no file, rather than one that `sfp import-claims`
            # (and so `sfp demo`) would refuse as having no claim rows.
            self.historic.path.unlink()

    def source_id(self, feed: str, person: Person) -> str:
        return SOURCE_PREFIX[feed] + stable_token(self.seed, feed, person.true_id)

    def person_columns(
        self, feed: str, person: Person, household: Household, day: date, exact: bool = False
    ) -> dict[str, object]:
        postcode, address = household.home_of(person, day)
        values: dict[str, object] = {
            "source_person_id": self.source_id(feed, person),
            "forename": person.forename,
            "surname": person.surname_on(day),
            "dob": person.dob,
            "sex": person.sex,
            "postcode": postcode,
            "address": address,
        }
        for name in IDENTIFIERS.get(feed, ()):
            values[name] = getattr(person, name)
        if exact:
            return values
        rng, noise = self.rng, self.noise
        values["forename"] = forename_as_recorded(rng, person.forename, noise)
        values["dob"] = dob_as_recorded(rng, person.dob, noise)
        values["postcode"] = postcode_as_recorded(rng, postcode, noise)
        if self.keep_postcode and not values["postcode"]:
            values["postcode"] = postcode
        required = REQUIRED_IDENTIFIERS.get(feed)
        for name in IDENTIFIERS.get(feed, ()):
            if name != required and rng.random() < noise.identifier_missing:
                values[name] = None
        return values

    def add(
        self,
        feed: str,
        batch: str,
        values: dict[str, object],
        person: Person | None = None,
        repeatable: bool = False,
    ) -> None:
        key = (feed, batch)
        out = self.batches.get(key)
        if out is None:
            encoding = "cp1252" if feed in CP1252_FEEDS else "utf-8"
            out = _CsvOut(self.out / "inbox" / feed / f"{batch}.csv", self.headers[feed], encoding)
            self.batches[key] = out
        uk = feed in UK_DATE_FEEDS
        row = [_cell(values.get(c), uk) for c in self.headers[feed]]
        copies = 2 if repeatable and self.rng.random() < self.noise.duplicate_row else 1
        for _ in range(copies):
            number = out.write(row)
            if person is not None:
                self.source_rows.write([feed, f"{batch}.csv", number, person.true_id])

    def attendance(
        self,
        person: Person,
        household: Household,
        rates: Attendance,
        repeatable: bool = False,
    ) -> None:
        for year in ACADEMIC_YEARS:
            if not school_age_in(person.dob, year):
                continue
            for term in TERMS:
                planned = rates.get((year, term))
                if isinstance(planned, tuple):
                    possible, absent = planned
                else:
                    rate = (
                        planned
                        if planned is not None
                        else GOOD_ATTENDANCE + self.rng.uniform(-0.03, 0.03)
                    )
                    possible = self.rng.randrange(140, 192, 2)
                    absent = round(possible * (1 - rate))
                month, day = TERM_DATES[term]
                start = int(year[:4]) + (0 if term == "autumn" else 1)
                authorised = absent // 2
                self.add(
                    "attendance",
                    f"{year.replace('/', '-')}-{term}",
                    {
                        **self.person_columns(
                            "attendance", person, household, date(start, month, day)
                        ),
                        "school_urn": f"1{stable_token(household.postcode[:4], length=5)}",
                        "academic_year": year,
                        "term": term,
                        "sessions_possible": possible,
                        "sessions_authorised_absence": authorised,
                        "sessions_unauthorised_absence": absent - authorised,
                    },
                    person,
                    repeatable,
                )

    def event(
        self,
        event: Event,
        person: Person,
        household: Household,
        tag: str,
        repeatable: bool,
    ) -> None:
        """One planted or background event row in its feed's monthly batch."""
        feed, day, values = event.feed, event.day, dict(event.values)
        if feed == "police":
            values["incident_id"] = f"INC{stable_token(self.seed, tag, person.true_id, day)}"
            values["event_date"] = day
        elif feed == "housing":
            values["household_ref"] = f"HR{stable_token(household.household_id)}"
            values["event_date"] = day
        elif feed == "exclusions":
            values["school_urn"] = f"1{stable_token(household.postcode[:4], length=5)}"
            values["start_date"] = day
        elif feed == "csc":
            values["start_date"] = day
        elif feed in ("dwp", "neet"):
            values["month"] = month_batch(day)
        self.add(
            feed,
            month_batch(day),
            {**self.person_columns(feed, person, household, day), **values},
            person,
            repeatable or feed in SAFE_TO_REPEAT,
        )


def _case_versions(plan: CasePlan) -> list[tuple[date, dict[str, date | None]]]:
    """The case row as each monthly extract sends it: fields known by the month's end."""
    fields = {
        "whole_family_assessment_date": plan.assessment,
        "action_plan_date": plan.action_plan,
        "closed_date": plan.closed,
    }
    months = sorted(
        {month_batch(plan.opened)} | {month_batch(d) for d in fields.values() if d is not None}
    )
    versions = []
    for month in months:
        known = {
            k: (v if v is not None and month_batch(v) <= month else None) for k, v in fields.items()
        }
        year, mon = int(month[:4]), int(month[5:])
        versions.append((date(year, mon, 1), known))
    return versions


def _role(person: Person, plan: CasePlan, household: Household) -> str:
    for ref, role in plan.roles.items():
        if household.member(ref) is person:
            return role
    if not person.is_child:
        return "parent_carer"
    return "child" if age_on(person.dob, AS_OF) <= 17 else "other_adult"


def _write_case(
    writer: CouncilWriter,
    case_id: str,
    family_ref: str,
    household: Household,
    plan: CasePlan,
) -> None:
    """One early help case's own rows: the case as each extract sends it, its members,
    recorded needs and outcomes (the household's feed rows are written once, apart)."""
    for month, known in _case_versions(plan):
        writer.add(
            "eh_cases",
            month_batch(month),
            {
                "case_id": case_id,
                "family_ref": family_ref,
                "lead_practitioner": plan.lead,
                "opened_date": plan.opened,
                **known,
            },
        )
    for person in household.members:
        role = _role(person, plan, household)
        joined = max(plan.opened, person.dob)
        values = writer.person_columns("eh_members", person, household, joined, exact=True)
        writer.add(
            "eh_members", month_batch(joined), {**values, "case_id": case_id, "role": role}, person
        )
        writer.members.write([case_id, person.true_id, role])

    def key_of(ref: str | None) -> str | None:
        if ref == STRANGER:
            # someone who is not a member of the case (issue 23 item 5)
            return f"{case_id}-NOT-A-MEMBER"
        member = household.member(ref)
        return None if member is None else writer.source_id("eh_members", member)

    outcomes = list(plan.outcomes)
    for criterion, ref, identified, achieved in plan.needs:
        writer.add(
            "eh_needs",
            month_batch(identified),
            {
                "case_id": case_id,
                "source_person_id": key_of(ref),
                "criterion": criterion,
                "identified_date": identified,
                "basis": "practitioner",
            },
        )
        if achieved is not None:
            outcomes.append((criterion, ref, achieved))
    for criterion, ref, achieved in outcomes:
        writer.add(
            "eh_outcomes",
            month_batch(achieved),
            {
                "case_id": case_id,
                "source_person_id": key_of(ref),
                "criterion": criterion,
                "achieved_date": achieved,
                "evidence": "practitioner_assessed",
            },
        )


def _write_decision(
    writer: CouncilWriter,
    case_id: str,
    family_ref: str,
    scenario: Scenario,
    fails: tuple[int, ...],
    label: str,
    reasons: dict[int, str] | None = None,
) -> None:
    """The case's row of truth/expected_decisions.csv, from how its scenario was built;
    `reasons` words a gate's reason more exactly than its name."""
    writer.decisions.write(
        [
            case_id,
            family_ref,
            label,
            scenario.description,
            AS_OF.isoformat(),
            ";".join(str(g) for g in fails),
            "; ".join(f"gate {g}: {(reasons or {}).get(g, GATE_NAMES[g])}" for g in fails),
            "no" if fails else "yes",
            "no" if any(g <= 5 for g in fails) else "yes",
            ";".join(scenario.requires),
            "yes" if scenario.reclaim and not fails else "no",
        ]
    )
    writer.case_count += 1
    writer.claim_count += not fails


def _plant_case(
    writer: CouncilWriter, number: int, household: Household, scenario: Scenario
) -> None:
    plan: CasePlan = scenario.build()
    for ref, dob in plan.dobs.items():
        member = household.member(ref)
        assert member is not None, ref
        member.dob = dob
    case_id = f"EH{number:06d}"
    family_ref = f"FAM{stable_token(writer.seed, household.household_id, length=8)}"
    if plan.prior_claim:
        _prior_claim(writer, number, household, plan)
    _write_case(writer, case_id, family_ref, household, plan)
    if plan.second_case is not None:
        # A later case of the same family: same members, its own case rows and needs.
        _write_case(writer, f"{case_id}B", family_ref, household, plan.second_case)
    focus = household.member("child") if plan.attendance else None
    for person in household.members:
        if person.upn:
            writer.attendance(person, household, plan.attendance if person is focus else {})
    for index, event in enumerate(plan.events):
        member = household.member(event.member)
        assert member is not None
        writer.event(event, member, household, f"{case_id}-{index}", repeatable=False)
    if plan.referral:
        day, accepted = plan.referral
        person = household.children[-1] if household.children else household.adults[0]
        writer.add(
            "referrals",
            month_batch(day),
            {
                **writer.person_columns("referrals", person, household, day),
                "referral_date": day,
                "service": "early_help",
                "accepted": str(accepted).lower(),
            },
            person,
        )
    _write_decision(writer, case_id, family_ref, scenario, scenario.fails, scenario.name)
    if plan.second_case is not None:
        # Two cases of one family passing together: the first to close is claimed.
        claimed_instead = {7: f"one claim per family: case {case_id} is claimed instead"}
        _write_decision(
            writer, f"{case_id}B", family_ref, scenario, scenario.second_fails,
            f"{scenario.name}{SECOND_CASE}", claimed_instead if not scenario.fails else None,
        )  # fmt: skip
    writer.scenario_counts[scenario.name] = writer.scenario_counts.get(scenario.name, 0) + 1


def _prior_claim(writer: CouncilWriter, number: int, household: Household, plan: CasePlan) -> None:
    """The family's past claim: its members then, one row each, in historic_claims.csv."""
    prior = plan.prior_claim
    assert prior is not None
    claim_date = add_months(AS_OF, -prior.months_before)
    claim_ref = f"CLM{stable_token(writer.seed, 'claim', number, length=10)}"
    members = list(household.members)
    if prior.adults_changed and len(household.adults) > 1:
        # The partner now on the case joined after the past claim; another adult was on it.
        partner = household.adults[1]
        partner.joined = claim_date + timedelta(days=30)
        partner.elsewhere = (household.postcode, household.address)
        former = Person(
            f"T{number:06d}X0",
            household.household_id,
            writer.rng.choice(names.MALE_FORENAMES),
            household.adults[0].surname,
            date(1980, 3, 14),
            "M",
            False,
            nino=f"ZZ{number % 1_000_000:06d}A",
        )
        writer.people.write([former.true_id, household.household_id])
        members = [m for m in members if m is not partner] + [former]
        # He is still known to the council's data (a benefit month after he left), so the
        # change is shown by linked people (SPEC section 4; issue 23 item 1: a member of
        # the claim who links to no one is a question for clerical review). Exact person
        # columns: no random draw.
        left_on = claim_date + timedelta(days=45)
        writer.add(
            "dwp",
            month_batch(left_on),
            {
                "source_person_id": writer.source_id("dwp", former),
                "forename": former.forename,
                "surname": former.surname,
                "dob": former.dob,
                "sex": former.sex,
                "postcode": "MK9 9ZZ",
                "address": "2 Elsewhere Road",
                "nino": former.nino,
                "month": month_batch(left_on),
                "benefit": "universal_credit",
                "work_status": "in_work",
            },
            former,
        )
    if prior.unlinked_extra:
        # Another adult was on the past claim, who appears nowhere in the feeds now.
        extra = Person(
            f"T{number:06d}X2",
            household.household_id,
            writer.rng.choice(names.MALE_FORENAMES),
            writer.rng.choice(names.SURNAMES),
            date(1979, 11, 23),
            "M",
            False,
            nino=f"ZX{number % 1_000_000:06d}C",
        )
        writer.people.write([extra.true_id, household.household_id])
        members = [*members, extra]
    roles = {id(person): "child" if person.is_child else "parent_carer" for person in members}
    if prior.former_child:
        # Her parent's family was claimed with her as a child; she now heads her own.
        child = household.adults[0]
        parent = Person(
            f"T{number:06d}X1",
            household.household_id,
            writer.rng.choice(names.FEMALE_FORENAMES),
            child.surname,
            date(1975, 6, 2),
            "F",
            False,
            nino=f"ZY{number % 1_000_000:06d}B",
        )
        writer.people.write([parent.true_id, household.household_id])
        members = [child, parent]
        roles = {id(child): "child", id(parent): "parent_carer"}
    for person in members:
        if person.dob > claim_date:
            continue
        role = roles[id(person)]
        values = writer.person_columns("historic_claims", person, household, claim_date)
        # The past claim came from the council's own case system: its person keys.
        values["source_person_id"] = writer.source_id("eh_members", person)
        number_written = writer.historic.write(
            [claim_ref, claim_date.isoformat(), role]
            + [_cell(values.get(c), False) for c in HISTORIC_CLAIM_HEADER[3:]]
        )
        writer.source_rows.write(
            ["historic_claims", "historic_claims.csv", number_written, person.true_id]
        )


def _plant_worklist(
    writer: CouncilWriter, household: Household, scenario: WorklistScenario, number: int
) -> None:
    writer.worklist_households.write(
        [household.household_id, scenario.name, "yes" if scenario.listed else "no",
         scenario.description]
    )  # fmt: skip
    if scenario.case is not None:
        # A family known to early help: its case is planted and decided like any other.
        _plant_case(writer, number, household, scenario.case)
        return
    plan = scenario.build()
    # A planted worklist family's rows keep their postcode: a row without one ties no one by
    # its address (docs/interpretations.md, "household for identification"), so noise that
    # blanked it would unplant the family. The noise is still drawn: the rest of the sample
    # is unchanged.
    writer.keep_postcode = True
    try:
        for person in household.members:
            if person.upn:
                focus = household.member("child") if plan.attendance else None
                writer.attendance(person, household, plan.attendance if person is focus else {})
        for index, event in enumerate(plan.events):
            member = household.member(event.member)
            assert member is not None
            writer.event(event, member, household, f"W{number}-{index}", repeatable=False)
    finally:
        writer.keep_postcode = False
    for criterion, ref in scenario.needs:
        subject = household.member(ref)
        assert subject is not None
        days = [e.day for e in plan.events if household.member(e.member) is subject]
        first = min(days) if days else date(2025, 7, 31)
        writer.worklist.write(
            [household.household_id, subject.true_id, criterion, first.isoformat(), scenario.name]
        )
    writer.scenario_counts[scenario.name] = writer.scenario_counts.get(scenario.name, 0) + 1


def _background(writer: CouncilWriter, household: Household) -> None:
    """Rows for households early help is not working with: the rest of the council.

    Every row here that would make a need is written to the worklist truth too, so the
    identification worklist can be scored against it.
    """
    rng = writer.rng
    need_rows: list[tuple[Person, str, date]] = []
    for child in household.young_people + household.children:
        if child.upn:
            poor = rng.random() < 0.1
            rates: Attendance = (
                {(y, t): rng.uniform(0.6, 0.88) for y in ACADEMIC_YEARS for t in TERMS}
                if poor
                else {}
            )
            writer.attendance(child, household, rates, repeatable=True)
            if poor and school_age_in(child.dob, "2024/25"):
                need_rows.append((child, "EDU1", date(2023, 3, 31)))
        if rng.random() < 0.03 and school_age_in(child.dob, "2024/25"):
            day = random_day(rng, date(2024, 11, 1), date(2025, 6, 1))
            event = Event(
                "exclusions",
                "child",
                day,
                {"category": "suspension", "days_lost": rng.choice([0.5, 1, 2, 3])},
            )
            writer.event(event, child, household, "bg", repeatable=True)
            need_rows.append((child, "EDU3", day))
        if rng.random() < 0.02:
            day = random_day(rng, date(2024, 1, 1), date(2025, 6, 1))
            writer.event(
                Event("csc", "child", day, {"plan_type": "cin", "end_date": None}),
                child,
                household,
                "bg",
                repeatable=True,
            )
            need_rows.append((child, "SAF1", day))
    for youth in household.young_people:
        if age_on(youth.dob, date(2024, 9, 1)) >= 16:
            status = "neet" if rng.random() < 0.15 else "eet"
            for day in _months_between(date(2024, 9, 1), date(2025, 9, 1)):
                writer.event(
                    Event("neet", "youth", day, {"status": status}), youth, household, "bg", True
                )
            if status == "neet":
                need_rows.append((youth, "FIN3", date(2024, 9, 1)))
    for adult in household.adults:
        if rng.random() < 0.08:
            for _ in range(rng.randint(1, 3)):
                day = random_day(rng, date(2023, 1, 1), date(2025, 9, 1))
                kind = rng.choice(["offence", "arrest", "asb"])
                event = Event(
                    "police", "adult", day, {"event_type": kind, "severe_offence": "false"}
                )
                writer.event(event, adult, household, f"bg{kind}", repeatable=True)
                need_rows.append((adult, "CRI1", day))
        if rng.random() < 0.25:
            status = rng.choice(["out_of_work", "in_work"])
            start = random_day(rng, date(2022, 9, 1), date(2024, 9, 1)).replace(day=1)
            for day in _months_between(start, add_months(start, 11)):
                event = Event(
                    "dwp", "adult", day, {"benefit": "universal_credit", "work_status": status}
                )
                writer.event(event, adult, household, "bg", repeatable=True)
            if status == "out_of_work":
                need_rows.append((adult, "FIN1", start))
        if rng.random() < 0.04:
            day = random_day(rng, date(2024, 3, 1), date(2025, 4, 1))
            event = Event(
                "housing",
                "adult",
                day,
                {"event_type": "rent_arrears", "amount": rng.randint(200, 3000)},
            )
            writer.event(event, adult, household, "bg", repeatable=True)
            need_rows.append((adult, "FIN2", day))
        if rng.random() < 0.02:
            day = random_day(rng, date(2024, 5, 1), date(2025, 6, 1))
            writer.add(
                "referrals",
                month_batch(day),
                {
                    **writer.person_columns("referrals", adult, household, day),
                    "referral_date": day,
                    "service": "early_help",
                    "accepted": str(rng.random() < 0.5).lower(),
                },
                adult,
                repeatable=True,
            )
    first: dict[tuple[str, str], date] = {}
    for person, criterion, day in need_rows:
        key = (person.true_id, criterion)
        first[key] = min(day, first.get(key, day))
    for (true_id, criterion), day in sorted(first.items()):
        writer.worklist.write(
            [household.household_id, true_id, criterion, day.isoformat(), "background"]
        )


def _referrals_to_as_of(writer: CouncilWriter) -> None:
    """Each monthly referrals extract runs to its month's last day, the last to the as-of date.

    SPEC section 3: a feed covers only the period its batches cover, so without rows up to
    a claim's as-of date the 6 months after the latest closures could not be evidenced. The
    rows are referrals, not accepted, of a neighbour in no planted household (a truth person
    of his own), one on the last day of each month from January 2024; they are written
    without a random draw, so the rest of the sample is unchanged.
    """
    neighbour = Person(
        "TREFEXTRACT", "HREFEXTRACT", "Alan", "Neighbour", date(1960, 1, 1), "M", False
    )
    writer.people.write([neighbour.true_id, neighbour.household_id])
    day = date(2024, 1, 31)
    while day <= AS_OF:
        writer.add(
            "referrals",
            month_batch(day),
            {
                "source_person_id": "REFEXTRACT1",
                "forename": neighbour.forename,
                "surname": neighbour.surname,
                "dob": neighbour.dob,
                "sex": neighbour.sex,
                "postcode": "MK1 1AA",
                "address": "1 Station Road",
                "referral_date": day,
                "service": "early_help",
                "accepted": "false",
            },
            neighbour,
        )
        day = add_months(day.replace(day=1), 2) - timedelta(days=1)


def _months_between(start: date, end: date) -> list[date]:
    out, day = [], start.replace(day=1)
    while day <= end:
        out.append(day)
        day = add_months(day, 1)
    return out


def plan_counts(households: int) -> tuple[int, int]:
    """How many households get a planted case and a planted worklist family."""
    if households <= len(SCENARIOS):
        return households, 0
    cases = max(len(SCENARIOS), round(households * CASE_SHARE))
    room = households - cases
    worklist = min(room, max(len(WORKLIST_SCENARIOS), round(households * WORKLIST_SHARE)))
    return cases, worklist


def write_sample(
    out: Path,
    households: int = 300,
    seed: int = 1,
    noise: NoiseRates | None = None,
    life: LifeRates | None = None,
    hard: bool = False,
) -> dict[str, object]:
    """Write the inbox and truth for `households` households; the same seed, the same bytes.

    `hard` adds households that plant linkage's hard cases (sample_data/hard_cases.py).
    """
    if households < 1:
        raise ValueError("households must be at least 1")
    noise = noise or NoiseRates()
    noise.check()
    life = life or LifeRates()
    out.mkdir(parents=True, exist_ok=True)
    writer = CouncilWriter(out, seed, noise)
    rng = random.Random(seed)
    n_cases, n_worklist = plan_counts(households)
    try:
        for number in range(households):
            scenario: Scenario | None = None
            worklist: WorklistScenario | None = None
            if number < n_cases:
                scenario = SCENARIOS[number % len(SCENARIOS)]
                shape = scenario.shape
            elif number < n_cases + n_worklist:
                worklist = WORKLIST_SCENARIOS[(number - n_cases) % len(WORKLIST_SCENARIOS)]
                shape = worklist.shape
            else:
                shape = HouseholdShape(
                    adults=rng.randint(1, 2),
                    school_children=rng.randint(0, 3),
                    young_children=rng.randint(0, 1),
                    young_people=int(rng.random() < 0.15),
                    youth_age=rng.randint(16, 19),
                )
            planted = scenario is not None or worklist is not None
            household = make_household(
                rng,
                seed,
                number,
                shape,
                AS_OF,
                life,
                stable=planted,
                accented_name=noise.accented_name,
                surname_change=noise.surname_change,
            )
            for person in household.members:
                writer.people.write([person.true_id, household.household_id])
            if scenario is not None:
                _plant_case(writer, number, household, scenario)
            elif worklist is not None:
                _plant_worklist(writer, household, worklist, number)
            else:
                _background(writer, household)
        _referrals_to_as_of(writer)
        hard_cases = plant_hard_cases(writer, seed, households) if hard else {}
    finally:
        writer.close()
    summary: dict[str, object] = {
        "generator": GENERATOR_VERSION,
        "seed": seed,
        "households": households,
        "as_of": AS_OF.isoformat(),
        "cases": writer.case_count,
        "expected_claims": writer.claim_count,
        "noise": asdict(noise),
        "life": asdict(life),
        "scenarios": dict(sorted(writer.scenario_counts.items())),
    }
    if hard:
        summary["hard_cases"] = hard_cases
    (out / "truth" / "scenario.json").write_text(json.dumps(summary, indent=2) + "\n")
    return summary


def summary_of(out: Path) -> dict[str, Any]:
    return json.loads((out / "truth" / "scenario.json").read_text())

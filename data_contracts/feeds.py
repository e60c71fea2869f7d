"""The partner feeds of SPEC section 1 as data: one contract per feed.

Each contract lists the columns a file must carry, the type each is parsed to, and the
codes or ranges it may hold. Ingestion, the staged table layout and the quarantine reasons
all read from here, so a change to a feed is a change to this file alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

ColumnKind = Literal["text", "date", "month", "int", "decimal", "bool", "code", "academic_year"]

SQL_TYPES: dict[str, str] = {
    "text": "varchar",
    "code": "varchar",
    "academic_year": "varchar",
    "date": "date",
    "month": "date",
    "int": "integer",
    "decimal": "double",
    "bool": "boolean",
}


EARLIEST_BIRTH = date(1901, 1, 1)
"""No one born earlier is alive; earlier dates of birth are placeholders (1900-01-01,
1753-01-01, the oldest date SQL Server holds) or typos (a year 13 for 2013)."""
EARLIEST_RECORD = date(1990, 1, 1)
"""The earliest event, month or case date any feed can plausibly hold: the programme began
in 2012 and its look-back windows span a few years, so an earlier date is a typo or a
placeholder (1970-01-01, 1900-01-01), not history the rules could use."""
INTEGER_MAX = 2**31 - 1
"""The largest whole number a staged `integer` column holds."""


@dataclass(frozen=True)
class Column:
    """One column of a feed: how it is parsed and what it may hold."""

    name: str
    kind: ColumnKind = "text"
    required: bool = True
    codes: tuple[str, ...] = ()
    min_value: float | None = None
    exclusive_min: bool = False
    earliest: date | None = None
    """For a date or month: the earliest plausible value (default `EARLIEST_RECORD`)."""

    @property
    def earliest_plausible(self) -> date | None:
        if not self.is_dated:
            return None
        return self.earliest or EARLIEST_RECORD

    @property
    def sql_type(self) -> str:
        return SQL_TYPES[self.kind]

    @property
    def is_dated(self) -> bool:
        return self.kind in ("date", "month")

    @property
    def expected(self) -> str:
        """What a value must look like, worded for the quarantine reason."""
        if self.kind in ("int", "decimal"):
            expected = "a whole number" if self.kind == "int" else "a number"
            if self.min_value is not None:
                sign = ">" if self.exclusive_min else ">="
                expected += f" {sign} {self.min_value:g}"
            return f"expected {expected}"
        if self.kind == "code":
            return f"expected one of: {', '.join(self.codes)}"
        return EXPECTED_FORMAT.get(self.kind, "")


EXPECTED_FORMAT = {
    "date": "expected a date as YYYY-MM-DD or DD/MM/YYYY",
    "month": "expected a month as YYYY-MM",
    "bool": "expected true or false",
    "academic_year": "expected an academic year such as 2024/25",
}


@dataclass(frozen=True)
class NotBefore:
    """A cross-field rule: `later` must be on or after (or at least) `earlier` in each row.

    Rows where either side is blank are not judged here (requiredness is its own check).
    The quarantine line names `column` and gives `reason`.
    """

    later: str
    earlier: str
    column: str
    reason: str


@dataclass(frozen=True)
class Feed:
    """A partner feed: its columns and the column that dates each row for an as-of cut."""

    name: str
    columns: tuple[Column, ...]
    date_column: str | None
    names_people: bool = True
    description: str = ""
    person_columns: tuple[Column, ...] = field(default=())
    unique_key: tuple[str, ...] = ()
    """Columns that identify one row within a batch; a later row repeating them is refused."""
    cross_checks: tuple[NotBefore, ...] = ()
    dob_before_event: bool = True
    """False where an unborn child may be the subject (pre-birth plans and referrals)."""
    latest_wins: bool = False
    """A row re-sent in a later extract is an update (the latest load wins: case_current.sql,
    family_member.sql), so only a row identical in every column repeats an earlier one."""

    @property
    def resend_key(self) -> tuple[str, ...]:
        """What makes a row the same as one already staged from another file.

        The batch key where the contract has one (one attendance row per pupil, school and
        term; one DWP status per person and month); otherwise, and for feeds whose later
        rows update earlier ones, every column: the same rows sent again under another
        file name would otherwise count twice (docs/contracts.md, "Rows sent twice").
        """
        if self.unique_key and not self.latest_wins:
            return self.unique_key
        return tuple(c.name for c in self.all_columns)

    @property
    def rules_between_columns(self) -> tuple[NotBefore, ...]:
        """The feed's own cross-field rules, plus date of birth not after the row's date."""
        rules = self.cross_checks
        if self.names_people and self.date_column and self.dob_before_event:
            rules += (
                NotBefore(
                    self.date_column,
                    "dob",
                    "dob",
                    f"date of birth after {self.date_column}",
                ),
            )
        return rules

    @property
    def all_columns(self) -> tuple[Column, ...]:
        own = {c.name for c in self.columns}
        return tuple(c for c in self.person_columns if c.name not in own) + self.columns

    @property
    def required_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.all_columns if c.required)


def _person_columns(*identifiers: str) -> tuple[Column, ...]:
    """The person columns every people-naming feed carries (SPEC section 1)."""
    columns = [
        Column("source_person_id"),
        Column("forename"),
        Column("surname"),
        Column("dob", "date", earliest=EARLIEST_BIRTH),
        Column("sex", "code", required=False, codes=("M", "F", "U")),
        Column("postcode", required=False),
        Column("address", required=False),
    ]
    for name in ("upn", "nino", "nhs_number"):
        columns.append(Column(name, required=name in identifiers))
    return tuple(columns)


# The 34 criteria codes of SPEC section 2 (the national framework table,
# 001_c8a4eb03005f1d3d.txt); the plan file gives their wording and headlines.
CRITERION_CODES = (
    *("EDU1", "EDU2", "EDU3", "EDU4", "EYD1", "EYD2", "EYD3", "MPH1", "MPH2", "MPH3"),
    *("SUB1", "SUB2", "REL1", "REL2", "REL3", "REL4", "SAF1", "SAF2", "SAF3", "SAF4"),
    *("SAF5", "SAF6", "CRI1", "CRI2", "CRI3", "DA1", "DA2", "DA3", "HOU1", "HOU2"),
    *("HOU3", "FIN1", "FIN2", "FIN3"),
)
TERMS = ("autumn", "spring", "summer")
POLICE_EVENTS = (
    "offence",
    "arrest",
    "named_suspect",
    "asb",
    "missing_episode",
    "da_victim",
    "da_perpetrator",
    "da_child_present",
    "cse_concern",
    "cce_concern",
)
HOUSING_EVENTS = (
    "ta_placed",
    "ta_at_risk",
    "ta_ended",
    "notice_served",
    "notice_withdrawn",
    "possession_order_suspended",
    "homelessness_duty_owed",
    "no_duty_owed",
    "settled_accommodation",
    "excluded_from_home",
    "rent_arrears",
)

FEEDS: dict[str, Feed] = {
    feed.name: feed
    for feed in (
        Feed(
            "attendance",
            (
                Column("upn"),
                Column("school_urn"),
                Column("academic_year", "academic_year"),
                Column("term", "code", codes=TERMS),
                Column("sessions_possible", "int", min_value=0, exclusive_min=True),
                Column("sessions_authorised_absence", "int", min_value=0),
                Column("sessions_unauthorised_absence", "int", min_value=0),
            ),
            date_column="term_end",
            person_columns=_person_columns("upn"),
            description="a pupil's attendance in one term",
            unique_key=("upn", "school_urn", "academic_year", "term"),
            cross_checks=(
                NotBefore(
                    "sessions_possible",
                    "sessions_absent",
                    "sessions_unauthorised_absence",
                    "authorised + unauthorised absence exceeds sessions_possible",
                ),
            ),
        ),
        Feed(
            "exclusions",
            (
                Column("upn"),
                Column("school_urn"),
                Column("start_date", "date"),
                Column("category", "code", codes=("suspension", "permanent")),
                Column("days_lost", "decimal", min_value=0),
            ),
            date_column="start_date",
            person_columns=_person_columns("upn"),
            description="one suspension or permanent exclusion",
        ),
        Feed(
            "police",
            (
                Column("incident_id"),
                Column("event_date", "date"),
                Column("event_type", "code", codes=POLICE_EVENTS),
                Column("severe_offence", "bool", required=False),
            ),
            date_column="event_date",
            person_columns=_person_columns(),
            description="one person's part in one police event",
            unique_key=("incident_id", "source_person_id", "event_type"),
        ),
        Feed(
            "housing",
            (
                Column("household_ref"),
                Column("event_date", "date"),
                Column("event_type", "code", codes=HOUSING_EVENTS),
                Column("amount", "decimal", required=False, min_value=0),
            ),
            date_column="event_date",
            person_columns=_person_columns(),
            description="one housing event for a household member",
        ),
        Feed(
            "dwp",
            (
                Column("nino"),
                Column("month", "month"),
                Column(
                    "benefit",
                    "code",
                    codes=("universal_credit", "jsa", "esa", "income_support", "other"),
                ),
                Column("work_status", "code", codes=("out_of_work", "in_work")),
            ),
            date_column="month",
            person_columns=_person_columns("nino"),
            description="a person's benefit status in one month",
            unique_key=("nino", "month"),
        ),
        Feed(
            "neet",
            (
                Column("month", "month"),
                Column("status", "code", codes=("neet", "eet", "unknown")),
            ),
            date_column="month",
            person_columns=_person_columns(),
            description="a young person's CCIS status in one month",
            unique_key=("source_person_id", "month"),
        ),
        Feed(
            "csc",
            (
                Column("plan_type", "code", codes=("cin", "cp", "lac")),
                Column("start_date", "date"),
                Column("end_date", "date", required=False),
            ),
            date_column="start_date",
            person_columns=_person_columns(),
            description="one children's social care plan",
            dob_before_event=False,
            cross_checks=(
                NotBefore("end_date", "start_date", "end_date", "end_date before start_date"),
            ),
        ),
        Feed(
            "referrals",
            (
                Column("referral_date", "date"),
                Column("service", "code", codes=("early_help", "childrens_social_care")),
                Column("accepted", "bool"),
            ),
            date_column="referral_date",
            person_columns=_person_columns(),
            description="one referral to early help or children's social care",
            dob_before_event=False,
        ),
        Feed(
            "eh_cases",
            (
                Column("case_id"),
                Column("family_ref"),
                Column("lead_practitioner", required=False),
                Column("opened_date", "date"),
                Column("whole_family_assessment_date", "date", required=False),
                Column("action_plan_date", "date", required=False),
                Column("closed_date", "date", required=False),
            ),
            date_column="opened_date",
            names_people=False,
            description="one early help family case",
            unique_key=("case_id",),
            latest_wins=True,
            cross_checks=(
                NotBefore(
                    "closed_date", "opened_date", "closed_date", "closed_date before opened_date"
                ),
            ),
        ),
        Feed(
            "eh_members",
            (
                Column("case_id"),
                Column(
                    "role",
                    "code",
                    codes=("parent_carer", "child", "expectant_parent", "other_adult"),
                ),
            ),
            date_column=None,
            person_columns=_person_columns(),
            description="one person on a case",
            unique_key=("case_id", "source_person_id"),
            latest_wins=True,
        ),
        Feed(
            "eh_needs",
            (
                Column("case_id"),
                Column("source_person_id", required=False),
                Column("criterion", "code", codes=CRITERION_CODES),
                Column("identified_date", "date"),
                Column("basis", "code", codes=("data", "practitioner")),
            ),
            date_column="identified_date",
            names_people=False,
            description="one need recorded on a case",
        ),
        Feed(
            "eh_outcomes",
            (
                Column("case_id"),
                Column("source_person_id", required=False),
                Column("criterion", "code", codes=CRITERION_CODES),
                Column("achieved_date", "date"),
                Column(
                    "evidence",
                    "code",
                    codes=(
                        "practitioner_assessed",
                        "self_assessed",
                        "validated_measure",
                        "service_confirmation",
                        "other",
                    ),
                ),
            ),
            date_column="achieved_date",
            names_people=False,
            description="one outcome recorded on a case",
        ),
    )
}

PERSON_FEEDS: tuple[str, ...] = tuple(name for name, feed in FEEDS.items() if feed.names_people)

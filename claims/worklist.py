"""The identification worklist: families the data shows in need who have no early help case.

The programme asks councils to find families from their data before anyone refers them
(004_78e87d14289f5601.txt: data "to help local services to identify, understand and better
support children and families at the right time, to prevent them reaching crisis point").
The pipeline already forms candidate families (matching/families.py) and finds every need
a case's data shows; this module asks the same need models about the candidate families
no case covers.

One definition per rule: the registry's need models (indicators/sql/need_*.sql) are not
copied. Each eligible family becomes a stand-in case (claims/sql/worklist_case.sql and
worklist_member.sql have the columns of case_current and family_member) opened on the
first day of the window and open on the as-of date; temp tables of those names shadow the
warehouse's while the models run, and the models' union (family_need.sql) gives the
family's needs. The window replaces the look-back before a case opens: police,
attendance and exclusions are read from the window's start, like every other feed
(`WINDOW_PARAMETERS`; docs/interpretations.md, "identification window").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb
import pandas as pd

from claims.lookahead import LOOKAHEAD_SQL_DIR, TempSchema, temp_schema
from data_contracts.feeds import FEEDS, PERSON_FEEDS
from data_contracts.warehouse import scalar
from indicators.plan import Plan
from indicators.registry import load_registry
from indicators.runner import SQL_DIR, derive_current, model_parameters

WINDOW_PARAMETERS = {
    "police_lookback_months": 0,
    "attendance_lookback_months": 0,
    "exclusion_lookback_terms": 1,
}
"""The need models' look-back before a case opens, folded into the worklist's window."""
FRAME = {"case_current": "worklist_case", "family_member": "worklist_member"}
"""The warehouse tables the need models read, and the worklist tables standing in for them."""
NEED_SUPPORT_MODELS = ("member_window", "member_police_event")
"""The frame and case-support models the need models read (indicators/models.py)."""
NOT_KNOWN = "not known from data"
NONE_FOUND = "none found in data"
ROLE_PLURAL = {"adult": "adults", "child": "children"}


class WorklistError(ValueError):
    """The warehouse cannot give a worklist yet; the message says what to run first."""


@dataclass(frozen=True)
class Worklist:
    """The families listed and what shows their needs; `families` is in rank order."""

    as_of: date
    settings: dict[str, Any]
    candidate_families: int
    eligible_families: int
    families: pd.DataFrame
    members: pd.DataFrame
    evidence: pd.DataFrame
    criteria: pd.DataFrame
    headlines: dict[str, str]


def person_rows_sql() -> str:
    """Every staged row naming a person, with the date it was true on (none for eh_members)."""
    parts = []
    for feed in PERSON_FEEDS:
        seen_on = FEEDS[feed].date_column or "null::date"
        parts.append(
            f"select '{feed}' as source, source_record_id, forename, surname, dob, sex,"
            f" postcode, cast({seen_on} as date) as seen_on from stg_{feed}"
        )
    return "\nunion all\n".join(parts)


def source_dates_sql() -> str:
    """Each staged row's date as evidence: the feed's own date; a CSC plan's is the last day
    it was open up to the as-of date (an open plan is evidence today)."""
    parts = []
    for feed in load_registry().feeds:
        column = FEEDS[feed].date_column
        if feed == "csc":
            column = "least(coalesce(end_date, $as_of::date), $as_of::date)"
        parts.append(f"select source_record_id, cast({column} as date) as row_date from stg_{feed}")
    return "\nunion all\n".join(parts)


def check_linked(con: duckdb.DuckDBPyConnection) -> None:
    tables = {
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'main'"
        ).fetchall()
    }
    for table in ("person_link", "candidate_family"):
        if table not in tables:
            raise WorklistError(
                f"the warehouse has no {table} table yet: run `sfp nightly` to link people "
                "into candidate families first"
            )


def build_worklist(con: duckdb.DuckDBPyConnection, plan: Plan, as_of: date) -> Worklist:
    """Derive as of the date (incrementally where it can), then list the families."""
    check_linked(con)
    derive_current(con, plan, as_of, incremental=True)
    parameters = model_parameters(plan, as_of)
    with temp_schema(con) as temps:
        families = _find_needs(con, temps, parameters)
        listed = con.execute("select * from worklist_rank order by rank").df()
        members = con.execute(MEMBERS_SQL).df()
        evidence = con.execute(EVIDENCE_SQL).df()
        eligible = int(scalar(con, "select count(*) from worklist_family") or 0)
        criteria = criteria_known(con, plan)
    headlines = dict(load_registry().headlines)
    listed = _with_headline_columns(listed, evidence, criteria, headlines, members)
    settings = {key: plan.thresholds[key] for key in plan.thresholds if key.startswith("worklist_")}
    return Worklist(
        as_of, settings, families, eligible, listed, members, evidence, criteria, headlines
    )


def _find_needs(
    con: duckdb.DuckDBPyConnection, temps: TempSchema, parameters: dict[str, Any]
) -> int:
    """Build the worklist tables in the temp schema; returns the candidate families."""
    temps.table("worklist_person_row", person_rows_sql())
    # Read before the stand-ins exist: the real cases decide who is known to early help.
    for name in ("worklist_person", "worklist_family", "worklist_case", "worklist_member"):
        temps.model(LOOKAHEAD_SQL_DIR / f"{name}.sql", parameters)
    for table, stand_in in FRAME.items():
        temps.table(table, f"select * from {stand_in}")
    window = {**parameters, **WINDOW_PARAMETERS}
    temps.models(SQL_DIR, NEED_SUPPORT_MODELS, window)
    temps.models(SQL_DIR, load_registry().need_models, window)
    # Only data shows a worklist family's needs: nothing is recorded without a case.
    temps.table("need_recorded", "select * from need_recorded where false")
    temps.models(SQL_DIR, ["family_need"], window)
    temps.table("worklist_source_date", source_dates_sql(), parameters)
    temps.models(LOOKAHEAD_SQL_DIR, ["worklist_need", "worklist_rank"], parameters)
    return int(scalar(con, "select count(distinct candidate_family_id) from candidate_family"))


MEMBERS_SQL = """
select r.rank, r.candidate_family_id, m.person_id, m.role, p.forename, p.surname, p.dob,
       p.age_on_as_of as age, p.sex, p.postcode,
       coalesce((select string_agg(distinct n.criterion, ', ' order by n.criterion)
                 from worklist_need n
                 where n.candidate_family_id = r.candidate_family_id
                   and n.person_id = m.person_id), '') as needs
from worklist_rank r
join worklist_member m on m.case_id = r.candidate_family_id
join worklist_person p using (person_id)
order by r.rank, m.role, p.dob, m.person_id
"""
EVIDENCE_SQL = """
select r.rank, n.candidate_family_id, n.person_id, p.forename, p.surname, n.criterion,
       n.headline, n.feed, n.first_evidence, n.last_evidence, n.measure,
       array_to_string(n.source_record_ids, '; ') as source_rows
from worklist_rank r
join worklist_need n using (candidate_family_id)
join worklist_person p using (person_id)
order by r.rank, n.headline, n.criterion, n.person_id
"""


def criteria_known(con: duckdb.DuckDBPyConnection, plan: Plan) -> pd.DataFrame:
    """Each criterion and whether data can show it here: found in its feed, no data (the feed
    holds no rows), or not known from data (only a practitioner can record it)."""
    coverage = dict(con.execute("select feed, has_data from feed_coverage").fetchall())
    derived = set(plan.derived_criteria)
    rows = []
    for c in load_registry().criteria.values():
        if not c.derivable or c.code not in derived:
            known = f"{NOT_KNOWN} (recorded by practitioners on a case)"
        elif not coverage.get(c.feed):
            known = f"no data: the {c.feed} feed holds no rows"
        else:
            known = f"from the {c.feed} feed"
        rows.append(
            {
                "criterion": c.code,
                "headline": c.headline,
                "need": c.wording,
                "known": known,
            }
        )
    return pd.DataFrame(rows)


def _with_headline_columns(
    listed: pd.DataFrame,
    evidence: pd.DataFrame,
    criteria: pd.DataFrame,
    headlines: dict[str, str],
    members: pd.DataFrame,
) -> pd.DataFrame:
    """Members by role, then one column per headline: the needs the data shows, 'none
    found in data', or 'not known from data' where data can show none of its needs."""
    roles = members.groupby(["candidate_family_id", "role"]).size()
    listed = listed.copy()
    listed["members_by_role"] = [
        ", ".join(
            f"{count} {ROLE_PLURAL.get(role, role) if count > 1 else role}"
            for role, count in roles.get(family, pd.Series(dtype=int)).items()
        )
        for family in listed["candidate_family_id"]
    ]
    found = evidence.groupby(["candidate_family_id", "headline"])["criterion"].agg(
        lambda codes: ", ".join(sorted(set(codes)))
    )
    visible = set(criteria.loc[criteria["known"].str.startswith("from the"), "headline"])
    for code in headlines:
        empty = NONE_FOUND if code in visible else NOT_KNOWN
        listed[code] = [
            found.get((family, code), empty) for family in listed["candidate_family_id"]
        ]
    return listed

"""Stage a hand-made council's rows straight into the tables the rules read.

A rule case tests the rule (STYLE habit 14): its rows go into `stg_<feed>_all`,
`load_batch` and `person_link` as ingestion and linkage would leave them, without reading
files, running Great Expectations or scoring pairs with Splink (the contracts and linkage
have their own tests). Values are still parsed by the contracts' own column parsers, so a
date written `02/2024` or `2024-02` stages as the ingest would stage it.

People are named by a key (`parent`, `child`, ...): the key is their person ID and
identity record, so the indicator tables name people by the case's own words.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import duckdb
import pandas as pd

from data_contracts.feeds import FEEDS
from data_contracts.parsing import parse_column, term_end
from data_contracts.warehouse import ensure_ingest_tables

LOADED_AT = datetime(2026, 1, 1, tzinfo=UTC).replace(tzinfo=None)


def stage_warehouse(path: str = ":memory:") -> duckdb.DuckDBPyConnection:
    """A warehouse with the ingestion tables and an empty `person_link`, nothing loaded."""
    con = duckdb.connect(path)
    ensure_ingest_tables(con)
    con.execute(
        "create table if not exists person_link (source varchar, source_record_id varchar, "
        "record_id varchar, person_id varchar)"
    )
    return con


_EMPTY: list[duckdb.DuckDBPyConnection] = []


@contextmanager
def empty_warehouse() -> Iterator[duckdb.DuckDBPyConnection]:
    """An empty in-memory warehouse for one rule case, rolled back afterwards.

    Creating the ingestion tables costs more than most rule cases; one warehouse per test
    process, each case inside a transaction that is rolled back, keeps a case near half a
    second.
    """
    if not _EMPTY:
        con = stage_warehouse()
        # Rule cases hold a few rows: one thread plans and runs them fastest.
        con.execute("set threads = 1")
        _EMPTY.append(con)
    con = _EMPTY[0]
    con.execute("begin transaction")
    try:
        yield con
    finally:
        con.execute("rollback")


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


@dataclass
class Stager:
    """Writes batches of rows for one warehouse; each `stage` call is one new batch."""

    con: duckdb.DuckDBPyConnection
    dob: Mapping[str, object] = field(default_factory=dict)
    """Each person key's date of birth (person columns are filled from it)."""

    def stage(
        self,
        feed_name: str,
        rows: Iterable[Mapping[str, Any]],
        tag: str = "",
        supersedes: str | None = None,
    ) -> list[str]:
        """Stage `rows` as one batch of `feed_name`; returns their source record ids.

        A row of a people-naming feed names its person with `person` (their key); with
        `link: false` the row is staged but linked to nobody. `supersedes` names an earlier
        batch this one corrects (a file re-sent under the same name).
        """
        rows = list(rows)
        if not rows:
            return []
        feed = FEEDS[feed_name]
        loaded = self.con.execute("select count(*) from load_batch").fetchall()[0][0]
        batch_id = f"{feed_name}-{tag or 'b'}{loaded + 1:04d}"
        text: dict[str, list[str]] = {c.name: [] for c in feed.all_columns}
        people: list[tuple[str | None, bool]] = []
        for row in rows:
            key = row.get("person")
            values = dict(row)
            if feed.names_people and key is not None:
                values.setdefault("source_person_id", key)
                values.setdefault("forename", key)
                values.setdefault("surname", "Case")
                values.setdefault("dob", self.dob.get(key))
            elif not feed.names_people and key is not None:
                values.setdefault("source_person_id", key)
            for column in text:
                text[column].append(_text(values.get(column)))
            people.append((key, bool(row.get("link", True))))
        frame = pd.DataFrame({"row_number": range(2, len(rows) + 2)})
        for column in feed.all_columns:
            result = parse_column(column, pd.Series(text[column.name], dtype="str"))
            if result.failed.any():
                reasons = "; ".join(c.reason for c in result.checks if c.failed.any())
                raise ValueError(f"{feed_name}.{column.name}: {reasons}: {text[column.name]}")
            parsed = result.values
            frame[column.name] = parsed.astype(object).where(parsed.notna(), None)
        if feed_name == "attendance":
            frame["term_end"] = term_end(frame["academic_year"], frame["term"])
        frame.insert(0, "batch_id", batch_id)
        frame.insert(0, "source_record_id", [f"{batch_id}:{n}" for n in frame["row_number"]])
        self._insert(f"stg_{feed_name}_all", frame)
        self.con.execute(
            "insert into load_batch (batch_id, feed, file_name, file_sha256, rows_in, "
            "rows_staged, rows_quarantined, load_seq, loaded_at) values (?, ?, ?, ?, ?, ?, 0, "
            "(select coalesce(max(load_seq), 0) + 1 from load_batch), ?)",
            [batch_id, feed_name, f"{batch_id}.csv", batch_id, len(rows), len(rows), LOADED_AT],
        )
        if supersedes is not None:
            self.con.execute(
                "insert into load_supersession select ?, ?, load_seq from load_batch "
                "where batch_id = ?",
                [supersedes, batch_id, batch_id],
            )
        links = [
            (feed_name, record_id, key, key)
            for record_id, (key, linked) in zip(frame["source_record_id"], people, strict=True)
            if feed.names_people and key is not None and linked
        ]
        if links:
            self.con.executemany("insert into person_link values (?, ?, ?, ?)", links)
        return list(frame["source_record_id"])

    def _insert(self, table: str, frame: pd.DataFrame) -> None:
        self.con.register("staged_rows", frame)
        try:
            self.con.execute(f"insert into {table} by name select * from staged_rows")
        finally:
            self.con.unregister("staged_rows")


PEOPLE: dict[str, str] = {
    "parent": "1988-02-01",
    "partner": "1986-09-14",
    "child": "2014-05-06",
    "teen": "2008-03-10",
    "young": "2007-06-01",
    "neighbour": "1970-01-01",
}
"""The date of birth of each person key a case may use without declaring it."""
ROW_DEFAULTS: dict[str, dict[str, Any]] = {
    "police": {"severe_offence": False},
    "housing": {"household_ref": "HR1"},
    "dwp": {"benefit": "universal_credit"},
    "exclusions": {"school_urn": "100001", "category": "suspension"},
    "attendance": {"school_urn": "100001", "sessions_authorised_absence": 0},
    "referrals": {"service": "early_help", "accepted": True},
}
"""Values a case need not spell out (a partner's default codes)."""
CASE_COLUMNS = (
    "case_id",
    "family_ref",
    "lead_practitioner",
    "opened_date",
    "whole_family_assessment_date",
    "action_plan_date",
    "closed_date",
)


def case_rows(spec: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The eh_cases row of one case description (its dates default to the opening date)."""
    opened = spec["opened"]
    return [
        {
            "case_id": spec.get("id", "EH1"),
            "family_ref": spec.get("family_ref", "FAM1"),
            "lead_practitioner": spec.get("lead", "Lead practitioner"),
            "opened_date": opened,
            "whole_family_assessment_date": spec.get("assessment", opened),
            "action_plan_date": spec.get("action_plan", opened),
            "closed_date": spec.get("closed"),
        }
    ]


def stage_council(con: duckdb.DuckDBPyConnection, given: Mapping[str, Any]) -> Stager:
    """Stage a case description (tests/indicators/cases/*.yaml, tests/claims/cases/*.yaml).

    `case` (one case, EH1 of family FAM1, with top-level `members`) or `cases` (a list,
    each with `id`, `family_ref` and `members`); `rows` per partner feed; `eh_needs` and
    `eh_outcomes` naming their case (default EH1) and person key (blank = whole family);
    `people` adds dates of birth to the default keys.
    """
    stager = Stager(con, {**PEOPLE, **given.get("people", {})})
    cases = given.get("cases") or [{**given["case"], "members": given.get("members")}]
    for spec in cases:
        members = spec.get("members") or {"parent": "parent_carer", "child": "child"}
        stager.stage("eh_cases", case_rows(spec))
        stager.stage(
            "eh_members",
            [
                {"case_id": spec.get("id", "EH1"), **_member(key, value)}
                for key, value in members.items()
            ],
        )
    for feed, rows in (given.get("rows") or {}).items():
        stager.stage(feed, [{**ROW_DEFAULTS.get(feed, {}), **row} for row in rows])
    for feed, defaults in (
        ("eh_needs", {"basis": "practitioner"}),
        ("eh_outcomes", {"evidence": "practitioner_assessed"}),
    ):
        stager.stage(
            feed,
            [
                {**defaults, **row, "case_id": row.get("case", "EH1")}
                for row in given.get(feed) or []
            ],
        )
    return stager


def _member(key: str, value: Any) -> dict[str, Any]:
    """A member is `key: role`, or `key: {role: ..., link: false}` for one linked to nobody."""
    if isinstance(value, Mapping):
        return {"person": key, **value}
    return {"person": key, "role": value}

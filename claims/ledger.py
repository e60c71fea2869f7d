"""The ledger of submitted claims: what was claimed, for whom, and what a re-run needs.

Later periods read it (gate 7: no family claimed twice within two years unless its
composition changed), and `sfp rerun` reads it to rebuild a submitted workbook on the data,
plan and linkage as they stood. A submission stores the plan as JSON, the linkage model
version, the last load batch it saw, a snapshot of `person_link`, the workbook bytes and
their sha256, and the linked members of every claimed family.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime

import duckdb
import pandas as pd

from data_contracts.warehouse import scalar

LEDGER_DDL = """
create table if not exists claim_submission (
    submission_id integer primary key,
    kind varchar not null,              -- 'submission' or 'historic_import'
    as_of date,
    period varchar,
    submitted_at timestamp not null,
    plan_version varchar,
    plan_source varchar,
    plan_json varchar,
    model_version varchar,
    max_load_seq integer,
    input_fingerprint varchar,
    workbook_sha256 varchar,
    workbook blob,
    file_name varchar,
    file_sha256 varchar,
    families integer not null
);
create table if not exists claim_ledger (
    submission_id integer not null,
    claim_key varchar not null,         -- 'S<submission>:<case_id>' or 'H:<claim_ref>'
    family_id varchar,
    case_id varchar,
    claim_ref varchar,
    as_of date not null,                -- the claim date
    period varchar,
    reclaim boolean not null
);
create table if not exists claim_ledger_member (
    submission_id integer not null,
    claim_key varchar not null,
    role varchar not null,
    person_id varchar,                  -- the person as linked when recorded
    record_id varchar                   -- the identity record, to follow the person later
);
create table if not exists claim_person_link (
    submission_id integer not null,
    source varchar,
    source_record_id varchar,
    record_id varchar,
    person_id varchar
);
"""

HISTORY_SQL = """
create or replace table claim_history as
select l.claim_key, l.family_id, l.case_id, l.claim_ref, l.as_of as claim_date, s.kind
from claim_ledger l
join claim_submission s using (submission_id)
where l.as_of < $as_of and s.submission_id < $before;
create or replace table claim_history_member as
with person_of_record as (
    select record_id, min(person_id) as person_id from person_link group by record_id
)
select m.claim_key, m.role, coalesce(p.person_id, m.person_id) as person_id
from claim_ledger_member m
join claim_history h using (claim_key)
left join person_of_record p using (record_id);
"""

MEMBERS_SQL = """
select m.case_id, m.role, m.person_id, l.record_id
from family_member m
left join person_link l on l.source = 'eh_members' and l.source_record_id = m.source_record_id
"""


class LedgerError(ValueError):
    """The ledger cannot do what was asked; the message says why in one line."""


@dataclass(frozen=True)
class Submission:
    """A submitted period as the ledger holds it."""

    submission_id: int
    as_of: date
    period: str
    plan_source: str
    plan_json: str
    model_version: str
    max_load_seq: int
    workbook_sha256: str
    workbook: bytes
    families: int


def insert_rows(con: duckdb.DuckDBPyConnection, sql: str, rows: list[tuple]) -> None:
    """`executemany` that accepts no rows (DuckDB refuses an empty list)."""
    if rows:
        con.executemany(sql, rows)


def insert_ledger_members(
    con: duckdb.DuckDBPyConnection, submission_id: int, claim_keys: list[str], members: pd.DataFrame
) -> None:
    """One `claim_ledger_member` row per member (columns role, person_id, record_id), each
    under its claim's key; a member who links to no one keeps a null person and record."""
    insert_rows(
        con,
        "insert into claim_ledger_member values (?, ?, ?, ?, ?)",
        [
            (
                submission_id,
                key,
                row.role,
                None if pd.isna(row.person_id) else row.person_id,
                None if pd.isna(row.record_id) else row.record_id,
            )
            for key, row in zip(claim_keys, members.itertuples(), strict=True)
        ],
    )


def ensure_ledger(con: duckdb.DuckDBPyConnection) -> None:
    """The claims-owned ledger tables (matching's `person_link` is never created here)."""
    con.execute(LEDGER_DDL)


def next_submission_id(con: duckdb.DuckDBPyConnection) -> int:
    return int(scalar(con, "select coalesce(max(submission_id), 0) + 1 from claim_submission"))


def prepare_claim_history(
    con: duckdb.DuckDBPyConnection, as_of: date, before_submission: int | None = None
) -> None:
    """The claims gate 7 may see: dated before `as_of`, recorded before `before_submission`.

    A re-run passes its own submission's id, so claims recorded after it stay out.
    """
    ensure_ledger(con)
    before = before_submission if before_submission is not None else next_submission_id(con)
    values = {"as_of": as_of, "before": before}
    for statement in HISTORY_SQL.strip().split(";\n"):
        if statement.strip():
            con.execute(statement, {k: v for k, v in values.items() if f"${k}" in statement})


def submission_for(con: duckdb.DuckDBPyConnection, as_of: date) -> Submission | None:
    """The latest submission of the period ending `as_of`, if there is one."""
    ensure_ledger(con)
    rows = con.execute(
        "select submission_id, as_of, period, plan_source, plan_json, model_version, "
        "max_load_seq, workbook_sha256, workbook, families from claim_submission "
        "where kind = 'submission' and as_of = ? order by submission_id desc limit 1",
        [as_of],
    ).fetchall()
    if not rows:
        return None
    row = rows[0]
    return Submission(
        int(row[0]), row[1], row[2], row[3], row[4], row[5], int(row[6] or 0), row[7],
        bytes(row[8]), int(row[9]),
    )  # fmt: skip


def check_submittable(con: duckdb.DuckDBPyConnection, as_of: date) -> None:
    """Refuse, in one line, a period already submitted or earlier than one submitted.

    Periods are submitted in order (SPEC section 4): a later claim's gate 7 has already
    judged families against the earlier ones, so an earlier period sent afterwards could
    claim a family twice.
    """
    already = submission_for(con, as_of)
    if already is not None:
        raise LedgerError(
            f"the period ending {as_of.isoformat()} was already submitted "
            f"(submission {already.submission_id}); use `sfp rerun --as-of "
            f"{as_of.isoformat()}` to check it (with --out FILE to write its workbook again)"
        )
    later = [d for d in submitted_periods(con) if d > as_of]
    if later:
        raise LedgerError(
            f"the period ending {as_of.isoformat()} is earlier than one already submitted "
            f"(the period ending {later[-1].isoformat()}); periods are submitted in order"
        )


def check_rerunnable(con: duckdb.DuckDBPyConnection, as_of: date, warehouse: object) -> Submission:
    """The submission to re-run, or one line saying which periods were submitted."""
    submission = submission_for(con, as_of)
    if submission is None:
        periods = ", ".join(d.isoformat() for d in submitted_periods(con)) or "none"
        raise LedgerError(
            f"no submission for the period ending {as_of.isoformat()} in {warehouse} "
            f"(submitted as-of dates: {periods})"
        )
    return submission


def submitted_periods(con: duckdb.DuckDBPyConnection) -> list[date]:
    ensure_ledger(con)
    rows = con.execute(
        "select distinct as_of from claim_submission where kind = 'submission' order by as_of"
    ).fetchall()
    return [row[0] for row in rows]


def claimed_in_year(con: duckdb.DuckDBPyConnection, start: date, as_of: date) -> int:
    """Families already submitted in the financial year, in periods before `as_of`."""
    return int(
        scalar(
            con,
            "select count(*) from claim_history where kind = 'submission' "
            "and claim_date >= ? and claim_date < ?",
            [start, as_of],
        )
        or 0
    )


def record_submission(
    con: duckdb.DuckDBPyConnection,
    decisions: pd.DataFrame,
    *,
    as_of: date,
    period: str,
    plan_version: str,
    plan_source: str,
    plan_json: str,
    model_version: str,
    input_fingerprint: str,
    workbook: bytes,
) -> int:
    """Add a submitted period and its claimed families; returns the submission id.

    Several statements: the caller holds them in one transaction (claims.submission uses
    `all_or_nothing`), so a period is recorded whole or not at all.
    """
    check_submittable(con, as_of)
    submission_id = next_submission_id(con)
    claimed = decisions[decisions["claimed"]]
    max_load_seq = int(scalar(con, "select coalesce(max(load_seq), 0) from load_batch") or 0)
    con.execute(
        "insert into claim_submission values "
        "(?, 'submission', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, null, null, ?)",
        [
            submission_id,
            as_of,
            period,
            datetime.now(UTC).replace(tzinfo=None),
            plan_version,
            plan_source,
            plan_json,
            model_version,
            max_load_seq,
            input_fingerprint,
            hashlib.sha256(workbook).hexdigest(),
            workbook,
            len(claimed),
        ],
    )
    insert_rows(
        con,
        "insert into claim_ledger values (?, ?, ?, ?, null, ?, ?, ?)",
        [
            (
                submission_id,
                f"S{submission_id}:{row.case_id}",
                row.family_id,
                row.case_id,
                as_of,
                period,
                row.reclaim == "yes",
            )
            for row in claimed.itertuples()
        ],
    )
    members = con.execute(MEMBERS_SQL).df()
    members = members[members["case_id"].isin(set(claimed["case_id"]))]
    keys = [f"S{submission_id}:{case_id}" for case_id in members["case_id"]]
    insert_ledger_members(con, submission_id, keys, members)
    con.execute(
        "insert into claim_person_link select ?, source, source_record_id, record_id, person_id "
        "from person_link",
        [submission_id],
    )
    return submission_id

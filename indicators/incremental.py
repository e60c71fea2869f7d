"""Derive the indicators again for only the people and cases that changed.

A nightly run adds a month of rows to a warehouse of years; rebuilding every model table
each night spends most of its time on rows that cannot have changed. An incremental
derive finds the affected people (`sql/incremental/affected_person.sql`) and cases
(`affected_case.sql`), runs the same model SQL against temp views that hold only their
rows, and replaces just their rows in each table. The result equals a full derive at the
same as-of date (tests/indicators/test_incremental.py compares every table).

The models fall into three groups:
- frame models (`case_current`, `family_member`, `member_window`, `feed_coverage`):
  cheap, and read the as-of date for every case (age on the as-of date, an open case's
  window end), so they are rebuilt whole each time and diffed against their old copy;
- person models (keyed by `person_id`): one person's rows read only that person's staged
  rows and links;
- case models (keyed by `case_id`): everything else. They read the frame rows of the
  affected cases and of the cases related to them (sharing a member or family_ref: a new
  early help case for a member is a re-referral of the old one), and only the affected
  cases' rows are replaced.

Falls back to a full derive when there is no previous derive to build on, the plan or
the model SQL changed, or a feed started or stopped holding data (`feed_coverage`
decides "no data" for every case). Each derive is one row of `derive_run`.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from datetime import date

import duckdb

from data_contracts.warehouse import scalar
from indicators.dependencies import inputs_fingerprint
from indicators.models import (
    FRAME_MODELS,
    INDICATOR_MODELS,
    PERSON_MODELS,
    SQL_DIR,
    derive_all,
    model_parameters,
    run_model,
    run_models,
    write_plan_tables,
)
from indicators.plan import Plan

log = logging.getLogger(__name__)

INCREMENTAL_SQL_DIR = SQL_DIR / "incremental"
CASE_MODELS = tuple(m for m in INDICATOR_MODELS if m not in FRAME_MODELS + PERSON_MODELS)

DERIVE_RUN_DDL = """
create table if not exists derive_run (
    derive_seq integer primary key,
    as_of date not null,
    mode varchar not null,
    reason varchar not null,
    plan_fingerprint varchar not null,
    models_fingerprint varchar not null,
    max_load_seq integer not null,
    persons_recomputed integer,
    cases_recomputed integer not null,
    cases_total integer not null
)
"""
DERIVE_INPUT_DDL = """
create table if not exists derive_input (
    derive_seq integer primary key,
    inputs_fingerprint varchar not null
)
"""
"""What the last derive read (indicators.dependencies.inputs_fingerprint), beside its
derive_run row; emptied when a derive starts. A decision reuses the tables only while it
is unchanged (indicators/current.py)."""
SNAPSHOT = "derive_person_link"
RELATED_CASES_SQL = """
select case_id from temp.affected_case
union
select n.case_id
from family_member m
join family_member n on n.person_id = m.person_id
where m.case_id in (select case_id from temp.affected_case)
union
select n.case_id
from case_current c
join case_current n on n.family_ref = c.family_ref
where c.case_id in (select case_id from temp.affected_case)
"""


def plan_fingerprint(plan: Plan) -> str:
    """The plan as the models read it: everything but the matching settings."""
    data = {key: value for key, value in plan.data.items() if key != "matching"}
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def models_fingerprint() -> str:
    """The model set, its order and every SQL file's text, the incremental ones included."""
    digest = hashlib.sha256()
    paths = [SQL_DIR / f"{name}.sql" for name in INDICATOR_MODELS]
    paths += sorted(INCREMENTAL_SQL_DIR.glob("*.sql"))
    for path in paths:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def derive(con: duckdb.DuckDBPyConnection, plan: Plan, as_of: date, incremental: bool) -> str:
    """Derive in the mode asked for where possible; record the run; return its mode."""
    con.execute(DERIVE_RUN_DDL)
    # Until this derive records what it read, no earlier record stands for the tables: a
    # run killed part-way leaves them half-made, and a decision then derives again.
    con.execute(DERIVE_INPUT_DDL)
    con.execute("delete from derive_input")
    fingerprints = (plan_fingerprint(plan), models_fingerprint())
    reason = _full_reason(con, fingerprints) if incremental else "full derive asked for"
    if reason is None:
        previous = con.execute(
            "select as_of, max_load_seq from derive_run order by derive_seq desc limit 1"
        ).fetchall()[0]
        # The snapshot is the base of the next incremental run: take it out of the
        # warehouse now, so a run killed half-way leaves none and the next run is full.
        con.execute(
            f"create or replace temp table prev_person_link as "
            f"select source, source_record_id, person_id from {SNAPSHOT}"
        )
        con.execute(f"drop table {SNAPSHOT}")
        try:
            counts, reason = _derive_affected(con, plan, as_of, previous[0], previous[1])
        finally:
            con.execute("drop table if exists temp.prev_person_link")
    if reason is not None:
        con.execute(f"drop table if exists {SNAPSHOT}")
        derive_all(con, plan, as_of)
        total = int(scalar(con, "select count(*) from case_current") or 0)
        counts = (None, total)
    mode = "full" if reason is not None else "incremental"
    _record(con, as_of, mode, reason or "", fingerprints, counts)
    con.execute(
        "insert or replace into derive_input select max(derive_seq), ? from derive_run",
        [inputs_fingerprint(con, model_parameters(plan, as_of))],
    )
    log.info("derive %s (%s): %s of the cases recomputed", mode, reason or "", counts[1])
    return mode


def _full_reason(con: duckdb.DuckDBPyConnection, fingerprints: tuple[str, str]) -> str | None:
    """Why an incremental derive cannot build on the last one, or None when it can."""
    last = con.execute(
        "select plan_fingerprint, models_fingerprint from derive_run "
        "order by derive_seq desc limit 1"
    ).fetchall()
    if not last:
        return "no previous derive"
    tables = _tables(con)
    if SNAPSHOT not in tables:
        return "no snapshot of the last derive's links"
    if last[0][0] != fingerprints[0]:
        return "plan changed"
    if last[0][1] != fingerprints[1]:
        return "models changed"
    missing = [m for m in INDICATOR_MODELS if m not in tables]
    if missing:
        return f"model table {missing[0]} missing"
    return None


def _derive_affected(
    con: duckdb.DuckDBPyConnection,
    plan: Plan,
    as_of: date,
    previous_as_of: date,
    last_load_seq: int,
) -> tuple[tuple[int | None, int], str | None]:
    """Recompute the affected people and cases; ((persons, cases), None), or a reason to
    fall back to a full derive."""
    parameters = {
        **model_parameters(plan, as_of),
        "previous_as_of": previous_as_of,
        "last_load_seq": last_load_seq,
    }
    db = scalar(con, "select current_database()")
    temps: list[str] = []
    try:
        write_plan_tables(con, plan)
        coverage_before = _coverage(con)
        latest_before = scalar(con, "select max(term_seq) from measure_attendance_term")
        for name in FRAME_MODELS:
            _temp(con, temps, f"prev_{name}", f"select * from {name}")
        run_models(con, FRAME_MODELS, parameters)
        if _coverage(con) != coverage_before:
            return (None, 0), "a feed started or stopped holding data"

        temps.append("affected_person")
        run_model(con, INCREMENTAL_SQL_DIR / "affected_person.sql", parameters, True)
        _restricted(con, temps, db, ["person_link"], "person_id", "affected_person")
        _replace(con, temps, db, PERSON_MODELS, "person_id", "affected_person", parameters)
        _drop(con, ["person_link"], view=True)

        latest_after = scalar(con, "select max(term_seq) from measure_attendance_term")
        # the terms judged are the latest 2 ended by the as-of date (child_attendance_latest)
        parameters["attendance_latest_moved"] = latest_before != latest_after or _ended_term(
            con, as_of
        ) != _ended_term(con, previous_as_of)
        temps.append("affected_case")
        run_model(con, INCREMENTAL_SQL_DIR / "affected_case.sql", parameters, True)
        # The frame rows the case models read: the affected cases and the cases related to
        # them (a new early help case for a member is a re-referral of the old one), whose
        # rows are read but not replaced.
        _temp(con, temps, "case_context", RELATED_CASES_SQL)
        _restricted(con, temps, db, FRAME_MODELS[:3], "case_id", "case_context")
        _replace(con, temps, db, CASE_MODELS, "case_id", "affected_case", parameters)
        persons = int(scalar(con, "select count(*) from affected_person") or 0)
        cases = int(scalar(con, "select count(*) from affected_case") or 0)
        return (persons, cases), None
    finally:
        _drop(con, [t for t in temps if not t.startswith("view:")])
        _drop(con, [t[5:] for t in temps if t.startswith("view:")], view=True)


def _replace(
    con: duckdb.DuckDBPyConnection,
    temps: list[str],
    db: object,
    models: Iterable[str],
    key: str,
    affected: str,
    parameters: dict[str, object],
) -> None:
    """Run the models into temp tables, then swap in their rows for the affected keys.

    The temp tables shadow the warehouse tables while the later models of the group
    run, so each reads only the affected rows of the ones before it.
    """
    models = list(models)
    temps.extend(models)
    run_models(con, models, parameters, temporary=True)
    for name in models:
        target = f'"{db}".main.{name}'
        con.execute(f"delete from {target} where {key} in (select {key} from temp.{affected})")
        con.execute(
            f"insert into {target} by name select * from temp.{name} "
            f"where {key} in (select {key} from temp.{affected})"
        )
        con.execute(f"drop table temp.{name}")
        temps.remove(name)


def _restricted(
    con: duckdb.DuckDBPyConnection,
    temps: list[str],
    db: object,
    tables: Iterable[str],
    key: str,
    affected: str,
) -> None:
    """Temp views named like warehouse tables, holding only the affected keys' rows."""
    for table in tables:
        temps.append(f"view:{table}")
        con.execute(
            f'create or replace temp view {table} as select * from "{db}".main.{table} '
            f"where {key} in (select {key} from temp.{affected})"
        )


def _temp(con: duckdb.DuckDBPyConnection, temps: list[str], name: str, sql: str) -> None:
    temps.append(name)
    con.execute(f"create or replace temp table {name} as {sql}")


def _drop(con: duckdb.DuckDBPyConnection, names: Iterable[str], view: bool = False) -> None:
    kind = "view" if view else "table"
    for name in names:
        con.execute(f"drop {kind} if exists temp.{name}")


def _ended_term(con: duckdb.DuckDBPyConnection, day: date) -> object:
    """The last school term ended by `day` (term_seq, as child_attendance_latest counts)."""
    return con.execute(
        "select case when $d >= case t % 3 when 0 then make_date(t // 3, 12, 31) "
        "when 1 then make_date(t // 3 + 1, 3, 31) else make_date(t // 3 + 1, 7, 31) end "
        "then t else t - 1 end from (select case when month($d) >= 9 then year($d) * 3 "
        "when month($d) <= 3 then (year($d) - 1) * 3 + 1 else (year($d) - 1) * 3 + 2 end "
        "as t)",
        {"d": day},
    ).fetchall()[0][0]


def _coverage(con: duckdb.DuckDBPyConnection) -> list[tuple[object, ...]]:
    return con.execute("select feed, has_data from feed_coverage order by feed").fetchall()


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute(
        "select table_name from information_schema.tables "
        "where table_schema = 'main' and table_catalog = current_database()"
    ).fetchall()
    return {row[0] for row in rows}


def _record(
    con: duckdb.DuckDBPyConnection,
    as_of: date,
    mode: str,
    reason: str,
    fingerprints: tuple[str, str],
    counts: tuple[int | None, int],
) -> None:
    """The run's row in derive_run, and the link snapshot the next run diffs against."""
    con.execute(
        f"create or replace table {SNAPSHOT} as "
        f"select source, source_record_id, person_id from person_link"
    )
    con.execute(
        "insert into derive_run select coalesce(max(derive_seq), 0) + 1, ?, ?, ?, ?, ?, "
        "(select coalesce(max(load_seq), 0) from load_batch), ?, ?, "
        "(select count(*) from case_current) from derive_run",
        [as_of, mode, reason, *fingerprints, counts[0], counts[1]],
    )

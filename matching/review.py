"""Clerical review: uncertain pairs out to a workbook, reviewers' decisions back in.

Pairs whose match probability lies in the plan's `matching.review_band` are written with
their evidence side by side, reduced to what a reviewer needs to decide: initials, year
of birth, postcode district, and which fields agree and how. Names, full dates of birth
and identifiers themselves never leave the warehouse. The reviewer writes `link` or
`no link` in the decision column; `sfp review-import FILE` stores the decisions and the
next nightly run honours them as must-link / cannot-link overrides.

The workbook is written through data_contracts/xlsx_writer.py, the pipeline's one
deterministic, formula-safe xlsx writer (shared with the claim workbook).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from data_contracts.file_writes import write_whole
from data_contracts.warehouse import all_or_nothing, scalar
from data_contracts.xlsx_writer import render_sheets

DECISIONS = ("link", "no link")
PAIR_SHEET = "Pairs"
FIXED_MOMENT = datetime(2000, 1, 1)

EVIDENCE_SQL = """
with pair as (
    select * from _review_pairs
),
side as (
    select record_id, source, forename, forename_canonical, surname, dob, postcode,
           postcode_sector, postcode_district, address_house, address_street, upn, nino,
           nhs_number
    from _identities
),
joined as (
    select p.record_id_l, p.record_id_r, p.match_probability, p.match_weight,
           cast(p.caution as varchar) as caution,
           l.source as source_l, r.source as source_r,
           upper(left(l.forename, 1) || left(l.surname, 1)) as initials_l,
           upper(left(r.forename, 1) || left(r.surname, 1)) as initials_r,
           year(l.dob) as birth_year_l, year(r.dob) as birth_year_r,
           l.postcode_district as postcode_district_l, r.postcode_district as postcode_district_r,
           case when l.forename is null or r.forename is null then 'missing'
                when l.forename = r.forename then 'same'
                when l.forename = r.surname and l.surname = r.forename
                     then 'swapped with surname'
                when l.forename_canonical = r.forename_canonical then 'nickname'
                when jaro_winkler_similarity(l.forename, r.forename) >= 0.8 then 'similar'
                else 'different' end as forename_agrees,
           case when l.surname is null or r.surname is null then 'missing'
                when l.surname = r.surname then 'same'
                when jaro_winkler_similarity(l.surname, r.surname) >= 0.8 then 'similar'
                else 'different' end as surname_agrees,
           case when l.dob is null or r.dob is null then 'missing'
                when l.dob = r.dob then 'same'
                when year(l.dob) = year(r.dob) and month(l.dob) = day(r.dob)
                     and day(l.dob) = month(r.dob) then 'day and month swapped'
                when damerau_levenshtein(cast(l.dob as varchar), cast(r.dob as varchar)) <= 1
                     then 'one digit apart'
                when abs(date_diff('day', l.dob, r.dob)) <= 366 then 'within a year'
                else 'different' end as dob_agrees,
           case when l.postcode is null or r.postcode is null then 'missing'
                when l.postcode = r.postcode then 'same'
                when l.postcode_sector = r.postcode_sector then 'same sector'
                when l.postcode_district = r.postcode_district then 'same district'
                else 'different' end as postcode_agrees,
           case when l.address_house is null or r.address_house is null then 'missing'
                when l.address_house = r.address_house
                     and coalesce(l.address_street = r.address_street, true) then 'same'
                when jaro_winkler_similarity(l.address_street, r.address_street) >= 0.9
                     then 'same street'
                else 'different' end as address_agrees,
           case when l.upn is null or r.upn is null then 'missing'
                when l.upn = r.upn then 'same' else 'different' end as upn_agrees,
           case when l.nino is null or r.nino is null then 'missing'
                when l.nino = r.nino then 'same' else 'different' end as nino_agrees,
           case when l.nhs_number is null or r.nhs_number is null then 'missing'
                when l.nhs_number = r.nhs_number then 'same' else 'different' end
               as nhs_number_agrees
    from pair p
    join side l on l.record_id = p.record_id_l
    join side r on r.record_id = p.record_id_r
),
final as (
    select * from joined order by match_probability desc, record_id_l, record_id_r
)
select * from final
"""


class ReviewFileError(ValueError):
    """A decision file the import cannot use; the message is one line for the user."""


def record_review_pairs(
    con: duckdb.DuckDBPyConnection,
    run_id: int,
    pairs: pd.DataFrame,
    identities: pd.DataFrame,
    band: tuple[float, float],
) -> int:
    """Store this run's uncertain pairs with their evidence in `person_review_pair`.

    Uncertain: a probability in the review band, or a pair held for caution (possible
    twins or siblings, matching/sql/caution_pair.sql) however high its probability.
    """
    low, high = band
    in_band = (pairs["match_probability"] >= low) & (pairs["match_probability"] < high)
    held = pairs["caution"].notna() & (pairs["match_probability"] >= low)
    uncertain = pairs.loc[
        in_band | held,
        ["record_id_l", "record_id_r", "match_probability", "match_weight", "caution"],
    ]
    work = duckdb.connect()
    work.register("_review_pairs", uncertain)
    work.register("_identities", identities)
    evidence = work.execute(EVIDENCE_SQL).df()
    work.close()
    evidence.insert(0, "run_id", run_id)
    con.register("_evidence", evidence)
    con.execute("create table if not exists person_review_pair as select * from _evidence limit 0")
    for column in ("caution", "address_agrees"):  # added by person-model-3
        con.execute(f"alter table person_review_pair add column if not exists {column} varchar")
    con.execute("delete from person_review_pair where run_id = $run", {"run": run_id})
    con.execute("insert into person_review_pair by name select * from _evidence")
    con.unregister("_evidence")
    return len(evidence)


def review_sheet(con: duckdb.DuckDBPyConnection, run_id: int) -> pd.DataFrame:
    frame = con.execute(
        "select * exclude (run_id) from person_review_pair where run_id = $run "
        "order by match_probability desc, record_id_l, record_id_r",
        {"run": run_id},
    ).df()
    frame["match_probability"] = frame["match_probability"].round(4)
    frame["match_weight"] = frame["match_weight"].round(2)
    frame["decision"] = None
    return frame


def render_review_workbook(frame: pd.DataFrame) -> bytes:
    """Same pairs, same bytes: the pinned save of data_contracts/xlsx_writer.py."""
    how_to = pd.DataFrame(
        {
            "item": ["decision", "evidence", "after"],
            "value": [
                "write 'link' (same person) or 'no link' (different people); leave blank if unsure",
                "initials, birth year and postcode district only; *_agrees says how "
                "each field compares; caution says why a pair is held for you whatever "
                "its probability (possible twins or siblings)",
                "sfp review-import <this file>; the next nightly run honours it",
            ],
        }
    )
    return render_sheets([("How to review", how_to), (PAIR_SHEET, frame)], FIXED_MOMENT)


def write_review_workbook(con: duckdb.DuckDBPyConnection, run_id: int, path: Path) -> Path:
    return write_whole(path, render_review_workbook(review_sheet(con, run_id)))


def read_decisions(path: Path, con: duckdb.DuckDBPyConnection | None = None) -> pd.DataFrame:
    """Decided rows of a review workbook; a wrong value is one clear line.

    Read cell by cell, as written: a formula in `decision` would otherwise read as blank
    (a workbook saved by a program has no cached result) and the decision be lost
    silently. A pair marked both `link` and `no link` is refused, as both cannot hold.
    With the warehouse `con`, every record ID must be one the warehouse has linked: a
    mistyped ID would be stored and never match anything. Messages name rows and columns,
    never what a cell holds.
    """
    rows = _pair_rows(path)
    decided = []
    for number, record_l, record_r, decision in rows:
        if decision is None or not str(decision).strip():
            continue
        decision = str(decision).strip().lower()
        if decision not in DECISIONS:
            raise ReviewFileError(
                f"{path}: row {number}, column decision: expected 'link', 'no link' or blank"
            )
        for column, value in (("record_id_l", record_l), ("record_id_r", record_r)):
            if value is None or not str(value).strip():
                raise ReviewFileError(f"{path}: row {number}, column {column}: no record ID")
        decided.append((str(record_l).strip(), str(record_r).strip(), decision, number))
    frame = pd.DataFrame(decided, columns=["record_id_l", "record_id_r", "decision", "row_number"])
    _refuse_contradictions(path, frame)
    if con is not None:
        _refuse_unknown_records(path, frame, con)
    return frame


def _pair_rows(path: Path) -> list[tuple[int, Any, Any, Any]]:
    """(row, record_id_l, record_id_r, decision) of the Pairs sheet; formulas refused."""
    from openpyxl import load_workbook

    if not path.is_file():
        raise ReviewFileError(f"{path}: review file not found")
    try:
        book = load_workbook(path, read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many types for a file that is no workbook
        raise ReviewFileError(f"{path}: not a review workbook ({type(error).__name__})") from None
    try:
        if PAIR_SHEET not in book.sheetnames:
            raise ReviewFileError(f"{path}: not a review workbook (no sheet {PAIR_SHEET})")
        sheet = book[PAIR_SHEET]
        sheet.reset_dimensions()  # a workbook's recorded size may be wrong; read every row
        cells = sheet.iter_rows()
        header = [
            str(cell.value).strip() if cell.value is not None else "" for cell in next(cells, ())
        ]
        wanted = ("record_id_l", "record_id_r", "decision")
        for column in wanted:
            if column not in header:
                raise ReviewFileError(f"{path}: sheet {PAIR_SHEET} has no column {column}")
        positions = [header.index(column) for column in wanted]
        rows = []
        for number, row in enumerate(cells, start=2):
            picked = [row[p] if p < len(row) else None for p in positions]
            for column, cell in zip(wanted, picked, strict=True):
                if cell is not None and cell.data_type == "f":
                    raise ReviewFileError(
                        f"{path}: row {number}, column {column}: a formula (type the value"
                        " itself: 'link' or 'no link')"
                    )
            values = tuple(None if c is None else c.value for c in picked)
            rows.append((number, values[0], values[1], values[2]))
        return rows
    finally:
        book.close()


def _refuse_contradictions(path: Path, frame: pd.DataFrame) -> None:
    pair = frame[["record_id_l", "record_id_r"]]
    keyed = frame.assign(_low=pair.min(axis=1), _high=pair.max(axis=1))
    for _, same in keyed.groupby(["_low", "_high"], sort=True):
        if same["decision"].nunique() > 1:
            first, second = sorted(same["row_number"])[:2]
            raise ReviewFileError(
                f"{path}: rows {first} and {second} decide the same pair both 'link' and"
                " 'no link' (keep the one that is right)"
            )


def _refuse_unknown_records(
    path: Path, frame: pd.DataFrame, con: duckdb.DuckDBPyConnection
) -> None:
    tables = {
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables"
            " where table_name in ('person_link', 'person_review_pair')"
        ).fetchall()
    }
    known_sql = " union ".join(
        sql
        for table, sql in (
            ("person_link", "select record_id from person_link"),
            (
                "person_review_pair",
                "select record_id_l from person_review_pair"
                " union select record_id_r from person_review_pair",
            ),
        )
        if table in tables
    )
    known: set[str] = set()
    if known_sql:
        known = {str(value) for (value,) in con.execute(known_sql).fetchall()}
    for column in ("record_id_l", "record_id_r"):
        unknown = frame[~frame[column].isin(known)]
        if len(unknown):
            row = int(unknown["row_number"].iloc[0])
            raise ReviewFileError(
                f"{path}: row {row}, column {column}: a record ID this warehouse has not"
                " linked (use the review workbook its nightly run wrote)"
            )


def import_decisions(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    """Store a review workbook's decisions in `review_decision`; later imports win."""
    decided = read_decisions(path, con)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    # One transaction: an import is recorded whole or not at all (docs/contracts.md).
    with all_or_nothing(con):
        con.execute(
            "create table if not exists review_decision (record_id_l varchar,"
            " record_id_r varchar, decision varchar, row_number integer, file_name varchar,"
            " file_sha256 varchar, imported_seq integer)"
        )
        seq = int(
            scalar(con, "select coalesce(max(imported_seq), 0) + 1 from review_decision") or 1
        )
        frame = decided.assign(file_name=path.name, file_sha256=digest, imported_seq=seq)
        con.register("_decided", frame)
        try:
            con.execute("insert into review_decision by name select * from _decided")
        finally:
            con.unregister("_decided")
    return len(frame)

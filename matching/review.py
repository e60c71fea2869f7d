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

import duckdb
import pandas as pd

from data_contracts.warehouse import scalar
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
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(render_review_workbook(review_sheet(con, run_id)))
    return path


def read_decisions(path: Path) -> pd.DataFrame:
    """Decided rows of a review workbook; a wrong value is one clear line."""
    if not path.is_file():
        raise ReviewFileError(f"{path}: review file not found")
    try:
        frame = pd.read_excel(path, sheet_name=PAIR_SHEET, dtype=str)
    except ValueError as error:
        raise ReviewFileError(f"{path}: not a review workbook ({error})") from None
    for column in ("record_id_l", "record_id_r", "decision"):
        if column not in frame.columns:
            raise ReviewFileError(f"{path}: sheet {PAIR_SHEET} has no column {column}")
    frame["row_number"] = range(2, len(frame) + 2)
    frame["decision"] = frame["decision"].str.strip().str.lower()
    decided = frame[frame["decision"].notna() & (frame["decision"] != "")]
    bad = decided[~decided["decision"].isin(DECISIONS)]
    if len(bad):
        row = bad.iloc[0]
        raise ReviewFileError(
            f"{path}: row {row['row_number']}, column decision: expected 'link', 'no link' "
            f"or blank, got {row['decision']!r}"
        )
    return decided[["record_id_l", "record_id_r", "decision", "row_number"]]


def import_decisions(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    """Store a review workbook's decisions in `review_decision`; later imports win."""
    decided = read_decisions(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    con.execute(
        "create table if not exists review_decision (record_id_l varchar, record_id_r varchar,"
        " decision varchar, row_number integer, file_name varchar, file_sha256 varchar,"
        " imported_seq integer)"
    )
    seq = int(scalar(con, "select coalesce(max(imported_seq), 0) + 1 from review_decision") or 1)
    frame = decided.assign(file_name=path.name, file_sha256=digest, imported_seq=seq)
    con.register("_decided", frame)
    con.execute("insert into review_decision by name select * from _decided")
    con.unregister("_decided")
    return len(frame)

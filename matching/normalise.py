"""Person rows reduced to what linkage compares, and to distinct identities.

Source rows repeat the same identity many times (a pupil in every term's census), so rows
are normalised (matching/sql/normalise_person.sql) and reduced to distinct identities;
Splink scores those, and every source row inherits the person of its identity.

Names are folded here, in Python, because transliteration needs a maintained table of
every script (anyascii, ISC licence): Ørsted is "orsted", Παπαδόπουλος "papadopoylos",
王伟 "wangwei". A name is never emptied for not being ASCII; the staged row keeps the
name as written for display.
"""

from __future__ import annotations

import logging
import re
import tempfile
import time
import unicodedata
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd
from anyascii import anyascii

from data_contracts.feeds import PERSON_FEEDS
from matching.address import address_parse_table
from matching.model import nickname_table

# The SPEC person columns every linkage input may carry (SPEC section 1), and the
# optional address whose house and first line the model compares.
PERSON_COLUMNS = (
    "source_person_id",
    "forename",
    "surname",
    "dob",
    "sex",
    "postcode",
    "upn",
    "nino",
    "nhs_number",
)
LINKED_COLUMNS = (*PERSON_COLUMNS, "address")
IDENTITY_COLUMNS = (
    "record_id, source, source_person_id, forename, forename_canonical, surname,"
    " surname_parts, dob, dob_placeholder, postcode, postcode_sector, postcode_district,"
    " postcode_area, address_house, address_flat, address_street, address_locality,"
    " address_locality_words, address_locality_run, upn, nino, nhs_number"
)
NORMALISE_SQL = (Path(__file__).parent / "sql" / "normalise_person.sql").read_text(encoding="utf-8")
log = logging.getLogger(__name__)
# Linkage's own DuckDB, beside the warehouse's (data_contracts/warehouse.py): together
# they keep a 300,000-household nightly under 8 GiB, spilling to disk past the cap.
WORK_MEMORY_LIMIT = "3GB"
APOSTROPHES = re.compile(r"['`´ʻʼ‘’]")
LETTER_RUNS = re.compile(r"[a-z]+")
# A surname part shorter than this (de, la, al) is a particle, not a family name.
MIN_SURNAME_PART = 3


@cache
def fold_name(raw: str) -> tuple[str | None, tuple[str, ...]]:
    """A name as linkage compares it, and its parts (Smith-Jones: smith, jones).

    Any script to ASCII (anyascii), lower case, apostrophes dropped (O'Brien = OBrien),
    other separators joining the parts; None only when no letter is left ('-', '.', a
    zero-width space).
    """
    text = anyascii(unicodedata.normalize("NFKC", raw)).lower()
    runs = LETTER_RUNS.findall(APOSTROPHES.sub("", text))
    if not runs:
        return None, ()
    return "".join(runs), tuple(run for run in runs if len(run) >= MIN_SURNAME_PART)


def name_fold_table(names: pd.Series) -> pd.DataFrame:
    """raw -> folded, parts for each distinct name (a few thousand, not a row per record)."""
    distinct = sorted({str(name) for name in names.dropna()})
    folded = [fold_name(name) for name in distinct]
    return pd.DataFrame(
        {
            "raw": distinct,
            "folded": [name for name, _ in folded],
            "parts": [list(parts) or None for _, parts in folded],
        }
    )


def work_connection() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB that spills to disk rather than run out of memory (KNOWN_GROUND)."""
    con = duckdb.connect(
        config={
            "memory_limit": WORK_MEMORY_LIMIT,
            "temp_directory": tempfile.gettempdir() + "/sfp-duckdb",
        }
    )
    nicknames = pd.DataFrame(sorted(nickname_table().items()), columns=["name", "canonical"])
    con.register("_nickname_frame", nicknames)
    con.execute("create table nickname as select * from _nickname_frame")
    con.unregister("_nickname_frame")
    return con


def normalise(con: duckdb.DuckDBPyConnection, source_table: str) -> None:
    """`normalised_row` (one per source row) and `identity` (one per distinct identity)."""
    started = time.perf_counter()
    names = con.sql(
        f"select cast(forename as varchar) as name from {source_table}"
        f" union select cast(surname as varchar) from {source_table}"
    ).df()["name"]
    con.register("_name_fold", name_fold_table(names))
    con.execute(
        "create or replace table name_fold as"
        " select cast(raw as varchar) as raw, cast(folded as varchar) as folded,"
        " cast(parts as varchar[]) as parts from _name_fold"
    )
    con.unregister("_name_fold")
    addresses = con.sql(
        "select distinct cast(address as varchar) as address, nullif(regexp_replace("
        " upper(cast(postcode as varchar)), '[^A-Z0-9]', '', 'g'), '') as postcode_compact"
        f" from {source_table} where address is not null"
    ).df()
    con.register("_address_parse", address_parse_table(addresses))
    con.execute(
        "create or replace table address_parse as select cast(address as varchar) as address,"
        " cast(postcode_compact as varchar) as postcode_compact,"
        " cast(address_house as varchar) as address_house,"
        " cast(address_flat as varchar) as address_flat,"
        " cast(address_street as varchar) as address_street,"
        " cast(address_locality as varchar) as address_locality,"
        " cast(address_locality_words as varchar[]) as address_locality_words,"
        " cast(address_locality_run as varchar) as address_locality_run,"
        " cast(postcode_in_address as varchar) as postcode_in_address from _address_parse"
    )
    con.unregister("_address_parse")
    con.execute(
        "create or replace table normalised_row as "
        + NORMALISE_SQL.format(source_table=source_table)
    )
    con.execute(
        f"create or replace table identity as select distinct on (record_id) {IDENTITY_COLUMNS}"
        " from normalised_row order by record_id"
    )
    rows, identities = con.execute(
        "select (select count(*) from normalised_row), (select count(*) from identity)"
    ).fetchall()[0]
    log.info(
        "linkage normalise: %d source rows, %d distinct identities, %d distinct addresses"
        " parsed, in %.1f s",
        rows,
        identities,
        len(addresses),
        time.perf_counter() - started,
    )


def person_rows_sql() -> str:
    """Every staged row that names a person, in one table of person columns and address."""
    parts = [
        f"select '{feed}' as source, source_record_id, "
        + ", ".join(LINKED_COLUMNS)
        + f" from stg_{feed}"
        for feed in PERSON_FEEDS
    ]
    return "\nunion all\n".join(parts)


# A digest of a staged row's linked columns: with its source and source record id it tells
# a row already normalised (`link_row`) from one new or sent again with other values.
ROW_DIGEST = "hash(" + ", ".join(LINKED_COLUMNS) + ")"


def _digested_rows_sql() -> str:
    return f"select *, {ROW_DIGEST} as row_digest from ({person_rows_sql()})"


def normalised_person_rows(
    con: duckdb.DuckDBPyConnection, kept_rows: bool = False
) -> duckdb.DuckDBPyConnection:
    """A work connection holding `row_record` and `identity` of every staged person row.

    `row_record` (source, source_record_id, row_digest, record_id): one per staged row;
    `identity`: one per distinct identity (IDENTITY_COLUMNS); `normalised_row`: the rows
    normalised here. With `kept_rows` (the last run's `link_row` and `link_identity`,
    normalised by the same model version), only rows those tables do not hold, new or
    sent again with other values, are normalised (`new_row`; `gone_row`: the rows of
    `link_row` no longer staged as they were): normalising is a function of the row
    alone, so the tables are the ones normalising every row gives, at a fraction of the
    cost (a night adds a month to years of rows). Rows cross over as Arrow, not pandas:
    millions of rows at a large council.
    """
    work = work_connection()
    kept = None
    if kept_rows:
        kept = con.sql(
            f"select r.source, r.source_record_id, r.row_digest, k.record_id"
            f" from ({_digested_rows_sql()}) r join link_row k"
            f" using (source, source_record_id, row_digest)"
        ).to_arrow_table()
        rows = con.sql(
            f"select r.* from ({_digested_rows_sql()}) r anti join link_row k"
            f" using (source, source_record_id, row_digest)"
        ).to_arrow_table()
    else:
        rows = con.sql(_digested_rows_sql()).to_arrow_table()
    work.register("person_rows", rows)
    normalise(work, "person_rows")
    work.execute(
        "create table row_record as select n.source, n.source_record_id, p.row_digest,"
        " n.record_id from normalised_row n join person_rows p"
        " on p.source = n.source and cast(p.source_record_id as varchar) = n.source_record_id"
    )
    work.unregister("person_rows")
    if kept is None:
        return work
    work.execute("create table new_row as select * from row_record")
    # Rows linked before that are gone (a superseded file) or came again with other values.
    gone = con.sql(
        f"select k.source, k.source_record_id from link_row k"
        f" anti join ({_digested_rows_sql()}) r using (source, source_record_id, row_digest)"
    ).to_arrow_table()
    work.register("_gone_row", gone)
    work.execute("create table gone_row as select * from _gone_row")
    work.unregister("_gone_row")
    work.register("_kept_rows", kept)
    work.execute("insert into row_record select * from _kept_rows")
    work.unregister("_kept_rows")
    work.register("_kept_identity", con.sql("select * from link_identity").to_arrow_table())
    # A kept identity keeps its values (the pairs kept were scored with them).
    work.execute(
        f"create or replace table identity as"
        f" select {IDENTITY_COLUMNS} from _kept_identity"
        f" where record_id in (select record_id from row_record)"
        f" union all select {IDENTITY_COLUMNS} from identity"
        f" where record_id not in (select record_id from _kept_identity)"
        f" order by record_id"
    )
    work.unregister("_kept_identity")
    log.info(
        "linkage normalise: %d of %d source rows new or sent again, the rest kept",
        rows.num_rows,
        rows.num_rows + kept.num_rows,
    )
    return work

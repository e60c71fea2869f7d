"""What each indicator model reads: the other models, the as-of date, the warehouse tables.

Read from the SQL files themselves, never from a hand list, so a new model or a new join
is counted the day it is written. Two questions hang on it (docs/indicators.md, "Deriving
for a decision"): which models give a different answer on another as-of date, and whether
anything a model reads changed since the last derive (`inputs_fingerprint`), so that a
claim can decide on the tables the nightly already derived instead of deriving them again.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from functools import cache
from typing import Any

import duckdb

from data_contracts.feeds import FEEDS
from indicators.models import COMMENT, INDICATOR_MODELS, SQL_DIR, sql_parameters
from indicators.registry import REGISTRY_FILE

DATE_PARAMETERS = ("as_of", "attendance_terms_by", "referrals_assumed_to")
"""The model parameters set from the as-of date (indicators.models.model_parameters)."""
INPUT_TABLES = {
    "load_batch": "t",
    "load_supersession": "t",
    "person_link": "source, source_record_id, person_id",
    **{f"stg_{feed}_all": "t" for feed in FEEDS},
}
"""Every warehouse table the model SQL reads, directly or through the `stg_<feed>` views
(the staged rows of batches not superseded), and what of each row the fingerprint hashes
(`t`: all of it; of a link, the person its record went to, the only column the models
read besides the record's name). tests/indicators/test_dependencies.py checks the SQL
reads no other table."""
PRESENT_SQL = """
select table_name from duckdb_tables() where database_name in (current_database(), 'temp')
union
select view_name from duckdb_views()
where not internal and database_name in (current_database(), 'temp')
"""
IDENTIFIER = re.compile(r"\b[a-z_][a-z0-9_]*\b")


def _sql(name: str) -> str:
    return COMMENT.sub("", (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8"))


@cache
def model_reads(name: str) -> tuple[str, ...]:
    """The indicator models the model's SQL names (any mention counts: a name read as a
    column too would only make the model depend on more, never on less)."""
    named = set(IDENTIFIER.findall(_sql(name)))
    return tuple(m for m in INDICATOR_MODELS if m in named and m != name)


@cache
def as_of_dependent_models() -> tuple[str, ...]:
    """The models whose table can differ on another as-of date with the same rows loaded:
    those whose SQL reads a date parameter, and those that read such a model. Run order."""
    dependent: list[str] = []
    for name in INDICATOR_MODELS:  # run order: a model's inputs come before it
        reads_date = bool(sql_parameters(_sql(name)) & set(DATE_PARAMETERS))
        if reads_date or any(m in dependent for m in model_reads(name)):
            dependent.append(name)
    return tuple(dependent)


def inputs_fingerprint(con: duckdb.DuckDBPyConnection, parameters: Mapping[str, Any]) -> str:
    """One hash of everything a derive reads but the date: each input table's rows (a count
    and a sum of row hashes, so row order does not count and a row added, removed or
    relinked does), the plan's values as the models receive them, and the criterion
    registry the plan tables are written from. A missing table counts as absent."""
    digest = hashlib.sha256()
    # Looked up first, not tried: an error would abort the caller's transaction.
    present = {row[0] for row in con.execute(PRESENT_SQL).fetchall()}
    parts = [
        f"select '{table}', count(*), coalesce(sum(hash({hashed})::hugeint), 0) from {table} t"
        for table, hashed in INPUT_TABLES.items()
        if table in present
    ]
    rows = con.execute(" union all ".join(parts)).fetchall() if parts else []
    counted = {row[0]: row[1:] for row in rows}
    for table in INPUT_TABLES:  # one query, read back in a fixed order
        count, total = counted.get(table, ("absent", ""))
        digest.update(f"{table}:{count}:{total}\n".encode())
    values = {k: v for k, v in parameters.items() if k not in DATE_PARAMETERS}
    digest.update(json.dumps(values, sort_keys=True, default=str).encode() + b"\n")
    digest.update(REGISTRY_FILE.read_bytes())
    return digest.hexdigest()[:16]

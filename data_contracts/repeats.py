"""Rows already staged from another file of the same feed: quarantined, never counted twice.

A partner who sends the same rows again under a new file name (a monthly extract saved
twice, a cumulative extract) would otherwise have them staged twice: one duplicated
housing file turned a case from not claimed to claimed. A new batch's row that repeats a
current staged row of another file (same feed, same `Feed.resend_key`) is quarantined as
`same as <file> row N`, naming the row that stays.

A corrected file re-sent under the *same* name is not a repeat: it supersedes the earlier
batch of that name (docs/contracts.md), so batches of that file name are left out here.
When the key is every column, rows are paired occurrence by occurrence: a file with two
identical referral rows next to an earlier file with one keeps one of its two.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from data_contracts.feed_reader import RAGGED_COLUMN
from data_contracts.feeds import Feed

REPEAT_LABEL = "not already staged from another file"


@dataclass(frozen=True)
class Repeats:
    """Rows of the new batch that repeat staged rows: quarantine lines by row index."""

    column: str
    lines: pd.DataFrame
    """row_index, column_name, reason."""


def repeat_column(feed: Feed) -> str:
    return feed.resend_key[-1] if feed.resend_key == feed.unique_key else RAGGED_COLUMN


def key_hash_sql(feed: Feed) -> str:
    """The hash of a row's `resend_key`, as stored in `staged_row_key` for staged rows."""
    quoted = ", ".join(f'"{k}"' for k in feed.resend_key)
    return f"hash({quoted})"


def record_keys(con: duckdb.DuckDBPyConnection, feed: Feed, batch_id: str | None = None) -> None:
    """Store the key hash of a batch's staged rows (every batch's, when `batch_id` is None:
    a warehouse made before repeats were checked), so a later check reads one column
    instead of hashing every staged row again."""
    where = "where batch_id = $batch" if batch_id else ""
    con.execute(
        f'insert into staged_row_key select batch_id, "row_number", {key_hash_sql(feed)}'
        f" from stg_{feed.name}_all {where}",
        {"batch": batch_id} if batch_id else None,
    )


def find_repeats(
    con: duckdb.DuckDBPyConnection, feed: Feed, file_name: str, typed: pd.DataFrame
) -> Repeats:
    """Which of `typed` (the batch's rows that passed their checks, indexed by row
    number) repeat a current staged row from a file of another name."""
    column = repeat_column(feed)
    empty = pd.DataFrame({"row_index": [], "column_name": [], "reason": []})
    if typed.empty:
        return Repeats(column, empty)
    keyed = feed.resend_key == feed.unique_key
    key = list(feed.resend_key)
    types = {c.name: c.sql_type for c in feed.all_columns}
    incoming = typed[key].assign(_row_index=typed.index.to_numpy())
    same = " and ".join(f'i."{k}" is not distinct from e."{k}"' for k in key)
    casts = ", ".join(f'cast("{k}" as {types[k]}) as "{k}"' for k in key)
    columns = ", ".join(f'"{k}"' for k in key)
    staged = ", ".join(f's."{k}"' for k in key)
    # Whole-row keys pair the k-th copy with the k-th copy; a batch key has one row per
    # key in a batch already (its uniqueness check), so the earliest staged row is named.
    occurrence = "1" if keyed else f"row_number() over (partition by {columns} order by _row_index)"
    # Rows meet through the stored hash of their key (one number per staged row, see
    # `record_keys`), then are compared column by column, so a hash collision can never
    # make two different rows repeats.
    sql = f"""
        with incoming as (
            select _row_index, {casts} from _incoming
        ),
        numbered as (
            select *, {key_hash_sql(feed)} as _hash, {occurrence} as occurrence from incoming
        ),
        hits as (
            select batch_id, "row_number", key_hash as _hash
            from staged_row_key
            where key_hash in (select _hash from numbered)
        ),
        candidate as (
            select {staged}, h._hash, b.file_name, b.load_seq, s."row_number"
            from hits h
            join stg_{feed.name}_all s using (batch_id, "row_number")
            join load_batch b using (batch_id)
            where b.feed = $feed and b.file_name <> $file_name
                and s.batch_id not in (select batch_id from load_supersession)
        ),
        earlier as (
            select *, row_number() over (
                partition by _hash, {columns} order by load_seq, "row_number"
            ) as occurrence
            from candidate
        ),
        final as (
            select i._row_index, e.file_name, e."row_number"
            from numbered i
            join earlier e on i._hash = e._hash and i.occurrence = e.occurrence and {same}
        )
        select * from final order by _row_index
    """
    con.register("_incoming", incoming)
    try:
        found = con.execute(sql, {"file_name": file_name, "feed": feed.name}).df()
    finally:
        con.unregister("_incoming")
    named = f" ({', '.join(key)})" if keyed else ""
    lines = pd.DataFrame(
        {
            "row_index": found["_row_index"].astype("int64").to_numpy(),
            "column_name": column,
            "reason": [
                f"same as {name} row {int(row)}{named}"
                for name, row in zip(found["file_name"], found["row_number"], strict=True)
            ],
        },
        columns=["row_index", "column_name", "reason"],
    )
    return Repeats(column, lines)

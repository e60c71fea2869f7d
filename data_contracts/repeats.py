"""Rows already staged from another file of the same feed: quarantined, never counted twice.

A partner who sends the same rows again under a new file name (a monthly extract saved
twice, a cumulative extract) would otherwise have them staged twice: one duplicated
housing file turned a case from not claimed to claimed. A new batch's row that repeats a
current staged row of another file (same feed, same `Feed.resend_key`) is quarantined as
`same as <file> row N`, naming the row that stays.

A corrected file re-sent under the *same* name (or a renamed copy of a file, where it is
loaded: data_contracts/file_versions.py) is not a repeat: it supersedes the earlier
versions of that file (docs/contracts.md), so their batches are left out here.
When the key is every column, rows are paired occurrence by occurrence: a file with two
identical referral rows next to an earlier file with one keeps one of its two.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from data_contracts.feed_reader import RAGGED_COLUMN
from data_contracts.feeds import Feed
from data_contracts.file_versions import current_versions

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
    con: duckdb.DuckDBPyConnection, feed: Feed, file_name: str, batch_id: str
) -> Repeats:
    """Which rows of batch `batch_id`, staged and keyed (`record_keys`) in the open
    transaction, repeat a current staged row from a file of another name. The caller
    takes them out of the staged table again before it commits."""
    column = repeat_column(feed)
    keyed = feed.resend_key == feed.unique_key
    key = list(feed.resend_key)
    staged = ", ".join(f's."{k}"' for k in key)
    same = " and ".join(f'n."{k}" is not distinct from e."{k}"' for k in key)
    # Whole-row keys pair the k-th copy with the k-th copy; a batch key has one row per
    # key in a batch already (its uniqueness check), so the earliest staged row is named.
    by_row = 'order by s."row_number"'
    occurrence = "1" if keyed else f"row_number() over (partition by m.key_hash, {staged} {by_row})"
    # Rows meet through the stored hash of their key (one number per staged row), then
    # are compared column by column, so a hash collision never makes different rows
    # repeats; the batch's own rows are read by batch, never the whole table.
    sql = f"""
        with mine as (
            select "row_number", key_hash from staged_row_key where batch_id = $batch
        ),
        earlier_key as (
            select batch_id, "row_number", key_hash
            from staged_row_key
            where batch_id <> $batch and key_hash in (select key_hash from mine)
        ),
        earlier as (
            select {staged}, e.key_hash, b.file_name, s."row_number",
                   row_number() over (
                       partition by e.key_hash, {staged} order by b.load_seq, s."row_number"
                   ) as occurrence
            from earlier_key e
            join stg_{feed.name}_all s using (batch_id, "row_number")
            join load_batch b using (batch_id)
            where b.feed = $feed and not list_contains($versions, s.batch_id)
                and s.batch_id not in (select batch_id from load_supersession)
        ),
        new as (
            select {staged}, m.key_hash, s."row_number", {occurrence} as occurrence
            from mine m
            join stg_{feed.name}_all s on s.batch_id = $batch and s."row_number" = m."row_number"
            where m.key_hash in (select key_hash from earlier)
        ),
        final as (
            select n."row_number" as row_index, e.file_name, e."row_number" as earlier_row
            from new n
            join earlier e on n.key_hash = e.key_hash and n.occurrence = e.occurrence and {same}
        )
        select * from final order by row_index
    """
    # Earlier versions of this file (the same name, or a renamed copy of it) are not
    # repeated but replaced: this batch supersedes them in the same transaction.
    versions = [batch for batch, _ in current_versions(con, feed.name, file_name)]
    found = con.execute(
        sql, {"batch": batch_id, "versions": versions or [""], "feed": feed.name}
    ).fetchall()
    named = f" ({', '.join(key)})" if keyed else ""
    lines = pd.DataFrame(
        {
            "row_index": [int(row) for row, _, _ in found],
            "column_name": column,
            "reason": [f"same as {name} row {int(earlier)}{named}" for _, name, earlier in found],
        },
        columns=["row_index", "column_name", "reason"],
    )
    return Repeats(column, lines)


def unstage(con: duckdb.DuckDBPyConnection, feed: Feed, batch_id: str, rows: list[int]) -> None:
    """Take repeated rows out of the batch staged in the open transaction."""
    if not rows:
        return
    for table in (f"stg_{feed.name}_all", "staged_row_key"):
        con.execute(
            f"delete from {table} where batch_id = $batch"
            ' and "row_number" in (select unnest($rows))',
            {"batch": batch_id, "rows": rows},
        )

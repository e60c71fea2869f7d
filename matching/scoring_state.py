"""What the warehouse keeps between linkage runs so a night scores only what is new.

A pair's score depends on its two identities, the model's m and u values and the term
frequencies of names, and nothing else. So the warehouse keeps the model in force (its
Splink JSON and the name frequencies it was built with, frozen), the identities already
scored and every pair scored at or above the review floor. An incremental run scores the
new identities against each other and against the kept ones with that same frozen model;
the union with the kept pairs is then exactly the set a full rescoring with that model
would give (tests/matching/test_incremental_link.py compares them).

The state is replaced only inside the run's one transaction (matching/link.py), so a run
killed part way leaves the previous night's state whole.

Name frequencies are personal data (a list of every name in the council's records), so
they are kept only as salted SHA-256 digests of the name, in the warehouse and in the
file saved beside a model: scoring looks up the digest of each name it meets, which gives
the very numbers the plain names would (issue 13).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from data_contracts.file_writes import write_whole
from data_contracts.warehouse import scalar
from matching.model import MODEL_VERSION
from matching.pair_scoring import ModelMismatch

STATE_TABLES = """
create table if not exists link_model_state (
    run_id integer, fingerprint varchar, model_source varchar, model_json varchar
);
create table if not exists link_model_tf (column_name varchar, value varchar, tf double);
create table if not exists link_pair (
    record_id_l varchar, record_id_r varchar, match_probability double, match_weight double
);
alter table link_model_state add column if not exists tf_salt varchar;
alter table link_pair add column if not exists caution varchar;
"""
PAIR_COLUMNS = "record_id_l, record_id_r, match_probability, match_weight, caution"


@dataclass(frozen=True)
class FrozenModel:
    """A model as scoring needs it: Splink settings with m/u, and the name frequencies.

    `term_frequencies`: column -> frame (digest, tf), the digest `name_digest(salt,
    column, value)` of each name the model was built on.
    """

    settings: dict[str, Any]
    term_frequencies: dict[str, pd.DataFrame]
    source: str
    salt: str

    def to_json(self) -> str:
        return json.dumps(self.settings, sort_keys=True)


def name_digest_sql(salt: str, column: str, value_sql: str) -> str:
    """DuckDB SQL for the digest of a name: the same text `hashed_frequencies` hashes."""
    prefix = f"{salt}|{column}|".replace("'", "''")
    return f"sha256('{prefix}' || {value_sql})"


def hashed_frequencies(
    plain: dict[str, pd.DataFrame],
) -> tuple[str, dict[str, pd.DataFrame]]:
    """Name-keyed Splink lookups (column, tf_column) -> a salt and digest-keyed frames.

    The salt is the digest of the frequencies themselves: the same model gives the same
    bytes, and no two models share a salt, so a table of digests made for one is no use
    against another.
    """
    content = hashlib.sha256()
    for column, frame in sorted(plain.items()):
        for value, tf in zip(frame[column], frame[f"tf_{column}"], strict=True):
            content.update(f"{column}|{value}|{float(tf)!r}\n".encode())
    salt = content.hexdigest()[:32]
    hashed = {
        column: pd.DataFrame(
            {
                "digest": [
                    hashlib.sha256(f"{salt}|{column}|{value}".encode()).hexdigest()
                    for value in frame[column]
                ],
                "tf": frame[f"tf_{column}"].astype(float).to_numpy(),
            }
        )
        .sort_values("digest")
        .reset_index(drop=True)
        for column, frame in sorted(plain.items())
    }
    return salt, hashed


def lookup_tables(
    con: duckdb.DuckDBPyConnection, frozen: FrozenModel, tables: list[str]
) -> dict[str, pd.DataFrame]:
    """Splink's name-keyed lookups (column, tf_column) for the names in `tables`.

    Each distinct name met is hashed and looked up; a name the model never saw gets no
    row, so no adjustment, exactly as with the plain frequencies.
    """
    lookups = {}
    # Every column the model adjusts, even one without a frequency kept: a model loaded
    # from the warehouse has no rows for a column it counted nothing in (the shipped
    # model's address localities), and Splink refuses to score without its lookup.
    empty = pd.DataFrame({"digest": pd.Series(dtype=str), "tf": pd.Series(dtype=float)})
    for column in sorted(set(tf_columns(frozen.settings)) | set(frozen.term_frequencies)):
        frame = frozen.term_frequencies.get(column, empty)
        values = " union ".join(
            f"select distinct {column} as value from {table}" for table in tables
        )
        con.register("_tf_digest", frame)
        lookups[column] = con.sql(
            f"with met as ({values}), final as ("
            f" select m.value as {column}, d.tf as tf_{column} from met m"
            f" join _tf_digest d on d.digest = {name_digest_sql(frozen.salt, column, 'm.value')}"
            f" where m.value is not null)"
            f" select * from final order by {column}"
        ).df()
        con.unregister("_tf_digest")
    return lookups


def tf_columns(settings: dict[str, Any]) -> list[str]:
    """The columns whose comparisons adjust for how common a name is."""
    found = {
        level["tf_adjustment_column"]
        for comparison in settings.get("comparisons", [])
        for level in comparison.get("comparison_levels", [])
        if level.get("tf_adjustment_column")
    }
    return sorted(found)


def fingerprint(floor: float) -> str:
    """What must not change for kept pairs to stay valid: model version and review floor.

    The link threshold may move freely (clustering reruns over kept pairs every night), but
    pairs were kept only down to the floor, so a lower floor needs a full rescoring.
    """
    return hashlib.sha256(f"{MODEL_VERSION}|floor={floor:.6f}".encode()).hexdigest()[:16]


def load_state(con: duckdb.DuckDBPyConnection) -> tuple[int, str, FrozenModel] | None:
    """The model in force (run that built it, fingerprint, model), or None before run one."""
    con.execute(STATE_TABLES)
    rows = con.execute(
        "select run_id, fingerprint, model_source, model_json, tf_salt from link_model_state"
    ).fetchall()
    if not rows:
        return None
    run_id, print_, source, model_json, salt = rows[0]
    tf_rows = con.execute(
        "select column_name, value, tf from link_model_tf order by column_name, value"
    ).df()
    frozen = FrozenModel(json.loads(model_json), _frequencies(tf_rows), source, str(salt))
    return int(run_id), str(print_), frozen


def _frequencies(rows: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Long rows (column_name, value = digest, tf) -> one digest-keyed frame per column."""
    return {
        str(column): group[["value", "tf"]]
        .rename(columns={"value": "digest"})
        .sort_values("digest")
        .reset_index(drop=True)
        for column, group in rows.groupby("column_name")
    }


def _long_rows(frequencies: dict[str, pd.DataFrame]) -> pd.DataFrame:
    rows = [
        (column, digest, float(tf))
        for column, frame in sorted(frequencies.items())
        for digest, tf in zip(frame["digest"], frame["tf"], strict=True)
    ]
    return pd.DataFrame(rows, columns=["column_name", "value", "tf"])


def save_model_files(frozen: FrozenModel, model_out: Path) -> None:
    """The model JSON an auditor loads, and beside it the (hashed) name frequencies.

    The frequencies file is CSV: `column_name, name_sha256, tf`, the first row carrying
    the salt (`salt, <salt>,`); doubles written to their last digit.
    """
    # Each file whole or absent: a half-written model would be refused as `--model`.
    rows = _long_rows(frozen.term_frequencies).rename(columns={"value": "name_sha256"})
    salt = pd.DataFrame({"column_name": ["salt"], "name_sha256": [frozen.salt], "tf": [None]})
    frequencies = pd.concat([salt, rows], ignore_index=True).to_csv(
        index=False, float_format="%.17g"
    )
    write_whole(tf_file(model_out), frequencies)
    write_whole(model_out, json.dumps(frozen.settings, indent=2))


def tf_file(model_file: Path) -> Path:
    return model_file.with_name(model_file.stem + "-term-frequencies.csv")


def load_term_frequencies(model_in: Path) -> tuple[str, dict[str, pd.DataFrame]] | None:
    """The salt and hashed frequencies saved with `model_in`, or None without them."""
    path = tf_file(model_in)
    if not path.exists():
        return None
    rows = pd.read_csv(
        path, dtype={"column_name": str, "name_sha256": str}, float_precision="round_trip"
    )
    if "name_sha256" not in rows.columns:
        raise ModelMismatch(
            f"{path.name}: name frequencies in plain text, saved by an earlier model version;"
            " score with the version that saved it"
        )
    is_salt = rows["column_name"] == "salt"
    salt = str(rows.loc[is_salt, "name_sha256"].iloc[0])
    long = rows[~is_salt].rename(columns={"name_sha256": "value"}).astype({"tf": float})
    return salt, _frequencies(long)


def save_model(
    con: duckdb.DuckDBPyConnection, run_id: int, print_: str, model: FrozenModel
) -> None:
    """Make `model` the one in force (inside the caller's transaction)."""
    con.execute(STATE_TABLES)
    con.execute("delete from link_model_state")
    con.execute(
        "insert into link_model_state (run_id, fingerprint, model_source, model_json, tf_salt)"
        " values (?, ?, ?, ?, ?)",
        [run_id, print_, model.source, model.to_json(), model.salt],
    )
    con.execute("delete from link_model_tf")
    con.register("_tf", _long_rows(model.term_frequencies))
    con.execute("insert into link_model_tf select * from _tf")
    con.unregister("_tf")


def kept_record_ids(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """Identities scored by earlier runs (empty before run one)."""
    exists = scalar(
        con, "select count(*) from information_schema.tables where table_name = 'link_identity'"
    )
    if not exists:
        return pa.table({"record_id": pa.array([], pa.string())})
    return con.sql("select record_id from link_identity").to_arrow_table()


def kept_pairs(con: duckdb.DuckDBPyConnection) -> pa.Table:
    con.execute(STATE_TABLES)
    return con.sql(f"select {PAIR_COLUMNS} from link_pair").to_arrow_table()


def save_scored(
    con: duckdb.DuckDBPyConnection,
    identities: pa.Table,
    pairs: pd.DataFrame,
    incremental: bool = False,
) -> None:
    """Replace the scored identities and pairs (inside the caller's transaction).

    An incremental run's kept identities and pairs are the rows these tables hold, so
    only those gone are deleted and the new inserted: the same rows as a rewrite, without
    rewriting them all each night.
    """
    con.execute(STATE_TABLES)
    con.register("_identities", identities)
    con.register("_pairs", pairs)
    if incremental:
        con.execute(
            "delete from link_identity where record_id not in (select record_id from _identities)"
        )
        con.execute(
            "insert into link_identity by name select * from _identities"
            " where record_id not in (select record_id from link_identity)"
        )
        con.execute(
            "delete from link_pair p where not exists (select 1 from _pairs n"
            " where n.record_id_l = p.record_id_l and n.record_id_r = p.record_id_r)"
        )
        con.execute(
            f"insert into link_pair ({PAIR_COLUMNS}) select {PAIR_COLUMNS} from _pairs n"
            " where not exists (select 1 from link_pair p"
            " where n.record_id_l = p.record_id_l and n.record_id_r = p.record_id_r)"
        )
    else:
        con.execute("create or replace table link_identity as select * from _identities")
        con.execute("delete from link_pair")
        con.execute(f"insert into link_pair ({PAIR_COLUMNS}) select {PAIR_COLUMNS} from _pairs")
    con.unregister("_identities")
    con.unregister("_pairs")


def save_rows(con: duckdb.DuckDBPyConnection, rows: pa.Table) -> None:
    """Replace the normalised rows' identities (`link_row`: source, source_record_id,
    row_digest, record_id) inside the caller's transaction: the next night normalises only
    rows not in it (matching/normalise.py)."""
    con.register("_rows", rows)
    con.execute("create or replace table link_row as select * from _rows")
    con.unregister("_rows")

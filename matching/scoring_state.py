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

from data_contracts.warehouse import scalar
from matching.model import MODEL_VERSION

STATE_TABLES = """
create table if not exists link_model_state (
    run_id integer, fingerprint varchar, model_source varchar, model_json varchar
);
create table if not exists link_model_tf (column_name varchar, value varchar, tf double);
create table if not exists link_pair (
    record_id_l varchar, record_id_r varchar, match_probability double, match_weight double
);
"""


@dataclass(frozen=True)
class FrozenModel:
    """A model as scoring needs it: Splink settings with m/u, and the name frequencies."""

    settings: dict[str, Any]
    term_frequencies: dict[str, pd.DataFrame]  # column -> (column, tf_column)
    source: str

    def to_json(self) -> str:
        return json.dumps(self.settings, sort_keys=True)


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
        "select run_id, fingerprint, model_source, model_json from link_model_state"
    ).fetchall()
    if not rows:
        return None
    run_id, print_, source, model_json = rows[0]
    tf_rows = con.execute(
        "select column_name, value, tf from link_model_tf order by column_name, value"
    ).df()
    frozen = FrozenModel(json.loads(model_json), _frequencies(tf_rows), source)
    return int(run_id), str(print_), frozen


def _frequencies(rows: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Long rows (column_name, value, tf) -> one Splink lookup frame per column."""
    return {
        str(column): group[["value", "tf"]]
        .rename(columns={"value": column, "tf": f"tf_{column}"})
        .reset_index(drop=True)
        for column, group in rows.groupby("column_name")
    }


def _long_rows(frequencies: dict[str, pd.DataFrame]) -> pd.DataFrame:
    rows = [
        (column, value, float(tf))
        for column, frame in sorted(frequencies.items())
        for value, tf in zip(frame[column], frame[f"tf_{column}"], strict=True)
    ]
    return pd.DataFrame(rows, columns=["column_name", "value", "tf"])


def save_model_files(frozen: FrozenModel, model_out: Path) -> None:
    """The model JSON an auditor loads, and beside it the name frequencies it scored with."""
    model_out.parent.mkdir(parents=True, exist_ok=True)
    model_out.write_text(json.dumps(frozen.settings, indent=2), encoding="utf-8")
    _long_rows(frozen.term_frequencies).to_csv(
        tf_file(model_out), index=False, float_format="%.17g"
    )


def tf_file(model_file: Path) -> Path:
    return model_file.with_name(model_file.stem + "-term-frequencies.csv")


def load_term_frequencies(model_in: Path) -> dict[str, pd.DataFrame] | None:
    """The frequencies saved with `model_in`, or None for a model file saved without them."""
    path = tf_file(model_in)
    if not path.exists():
        return None
    # Exact doubles back, and a name such as "Nan" kept as the name, never as missing.
    rows = pd.read_csv(
        path,
        dtype={"column_name": str, "value": str, "tf": float},
        keep_default_na=False,
        float_precision="round_trip",
    )
    return _frequencies(rows)


def save_model(
    con: duckdb.DuckDBPyConnection, run_id: int, print_: str, model: FrozenModel
) -> None:
    """Make `model` the one in force (inside the caller's transaction)."""
    con.execute(STATE_TABLES)
    con.execute("delete from link_model_state")
    con.execute(
        "insert into link_model_state values (?, ?, ?, ?)",
        [run_id, print_, model.source, model.to_json()],
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
    return con.sql(
        "select record_id_l, record_id_r, match_probability, match_weight from link_pair"
    ).to_arrow_table()


def save_scored(con: duckdb.DuckDBPyConnection, identities: pa.Table, pairs: pa.Table) -> None:
    """Replace the scored identities and pairs (inside the caller's transaction)."""
    con.execute(STATE_TABLES)
    con.register("_identities", identities)
    con.execute("create or replace table link_identity as select * from _identities")
    con.unregister("_identities")
    con.register("_pairs", pairs)
    con.execute("delete from link_pair")
    con.execute(
        "insert into link_pair select record_id_l, record_id_r, match_probability,"
        " match_weight from _pairs"
    )
    con.unregister("_pairs")

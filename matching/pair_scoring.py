"""Score identity pairs with a saved model on any Splink backend, and the DuckDB twin.

A model is trained on DuckDB and saved as JSON (matching/training.py). That JSON holds its
comparison SQL in DuckDB's dialect, so another backend cannot read it as it stands. The
settings are therefore kept in code (matching/model.py) and rendered for the backend's
dialect here, with the saved model's prior and m and u values copied in level by level;
the saved model is first checked to be the one the code describes (same comparisons,
levels, conditions and blocking rules), so a model from another version is refused rather
than scored with the wrong parameters.

Scoring uses Splink 5's `predict_within` (one set of identities) and `predict_between`
(existing against new), which read term frequencies from registered lookup tables, never
from the data being scored: both backends then see the same frequencies and agree.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pandas as pd
import sqlglot
from splink import DuckDBAPI, Linker
from splink.internals.database_api import DatabaseAPI
from splink.internals.dialects import SplinkDialect
from sqlglot import exp

from matching.model import person_settings

SAVED_DIALECT = "duckdb"
KEY = ["record_id_l", "record_id_r"]
_CALLS = itertools.count(1)


class ModelMismatch(ValueError):
    """The saved model does not describe the comparisons the code would render."""


def translate_condition(sql: str, dialect: str) -> str:
    """A DuckDB condition in `dialect`: sqlglot for syntax (quoting, casts, date
    differences), Splink's own names for the string-similarity functions, which differ by
    backend (DuckDB's built-ins against the similarity jar's UDFs on Spark), and
    `arrays_overlap` for DuckDB's `list_has_any` (sqlglot writes an `&&` Spark lacks)."""
    if sql == "ELSE" or dialect == SAVED_DIALECT:
        return sql
    target = SplinkDialect.from_string(dialect)

    def rename(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.JarowinklerSimilarity):
            return exp.Anonymous(
                this=target.jaro_winkler_function_name,
                expressions=[node.this, node.expression],
            )
        if isinstance(node, exp.ArrayOverlaps):
            return exp.Anonymous(this="arrays_overlap", expressions=[node.this, node.expression])
        if isinstance(node, exp.Anonymous) and str(node.this).lower() == "damerau_levenshtein":
            return exp.Anonymous(
                this=target.damerau_levenshtein_function_name, expressions=node.expressions
            )
        return node

    tree = sqlglot.parse_one(sql, read=SAVED_DIALECT).transform(rename)
    return tree.sql(dialect=target.sqlglot_dialect)


def _check_same_model(saved: dict[str, Any], reference: dict[str, Any], name: str) -> None:
    def blocking(settings: dict[str, Any]) -> list[str]:
        return [
            rule["blocking_rule"] if isinstance(rule, dict) else str(rule)
            for rule in settings["blocking_rules_to_generate_predictions"]
        ]

    def shape(settings: dict[str, Any]) -> list[tuple[str, list[str]]]:
        return [
            (c["output_column_name"], [lv["sql_condition"] for lv in c["comparison_levels"]])
            for c in settings["comparisons"]
        ]

    if shape(saved) != shape(reference):
        raise ModelMismatch(
            f"{name}: its comparisons differ from this version's model (matching/model.py);"
            " score it with the version that saved it"
        )
    if blocking(saved) != blocking(reference):
        raise ModelMismatch(f"{name}: its blocking rules differ from this version's model")


def check_saved_model(model_json: Path) -> None:
    """A saved person model (`--model`) that this version can score with, or one line
    saying why not (ModelMismatch): not JSON, not a Splink model, or another model's
    comparisons or blocking rules. Checked before a run starts (issue 22: a file of the
    wrong shape gave a traceback from inside Splink)."""
    name = Path(model_json).name
    try:
        saved = json.loads(Path(model_json).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        why = "not UTF-8 text" if isinstance(error, UnicodeDecodeError) else type(error).__name__
        if isinstance(error, json.JSONDecodeError):
            why = f"not JSON (line {error.lineno})"
        raise ModelMismatch(f"{name}: not a saved person model ({why})") from None
    try:
        float(saved["probability_two_random_records_match"])
        reference = person_settings(0.5).create_settings_dict(SAVED_DIALECT)
        _check_same_model(saved, reference, name)
    except ModelMismatch:
        raise
    except (KeyError, TypeError, ValueError, IndexError) as error:
        missing = f" (no {error.args[0]!r})" if isinstance(error, KeyError) else ""
        raise ModelMismatch(
            f"{name}: not a saved person model of this pipeline{missing}; use a"
            " person-model-run-N.json the nightly saved beside the warehouse"
        ) from None


def render_settings(model_json: Path, dialect: str) -> dict[str, Any]:
    """The code's person settings in `dialect`, carrying the saved model's parameters."""
    saved = json.loads(Path(model_json).read_text(encoding="utf-8"))
    prior = float(saved["probability_two_random_records_match"])
    creator = person_settings(prior)
    _check_same_model(saved, creator.create_settings_dict(SAVED_DIALECT), Path(model_json).name)
    rendered = creator.create_settings_dict(dialect)
    for saved_comparison, comparison in zip(
        saved["comparisons"], rendered["comparisons"], strict=True
    ):
        for saved_level, level in zip(
            saved_comparison["comparison_levels"], comparison["comparison_levels"], strict=True
        ):
            level["sql_condition"] = translate_condition(level["sql_condition"], dialect)
            for key in ("m_probability", "u_probability"):
                if key in saved_level:
                    level[key] = saved_level[key]
    return with_levels_kept(rendered)


def with_levels_kept(settings: dict[str, Any]) -> dict[str, Any]:
    """Settings whose predictions keep each comparison's level (gamma_*) and weight (mw_*);
    Splink 5 keeps the levels only with the compared values, which score_pairs drops."""
    settings["retain_matching_columns"] = True
    settings["retain_intermediate_calculation_columns"] = True
    return settings


def score_pairs(
    db: DatabaseAPI,
    settings: dict[str, Any],
    left: Any,
    right: Any | None,
    tf_tables: dict[str, Any],
    floor: float,
) -> pd.DataFrame:
    """Scored pairs at or above `floor`, as a sorted frame with record_id_l < record_id_r.

    `left`/`right` are tables the backend can register (pandas, or a Spark DataFrame);
    `right` None scores pairs within `left`, otherwise only pairs across the two.
    """
    run = next(_CALLS)  # table names unique per call: a Spark session outlives its calls
    sdf_left = db.register(left, dataset_display_name=f"identity_left_{run}")
    linker = Linker(sdf_left, settings, log_level=None)
    for column, table in sorted(tf_tables.items()):
        tf_sdf = db.register(table, dataset_display_name=f"tf_lookup_{column}_{run}")
        linker.table_management.register_term_frequency_lookup(tf_sdf, column)
    if right is None:
        predictions = linker.inference.predict_within(
            sdf_left, threshold_match_probability=floor, warning_mode="never"
        )
    else:
        sdf_right = db.register(right, dataset_display_name=f"identity_right_{run}")
        predictions = linker.inference.predict_between(
            sdf_left, sdf_right, threshold_match_probability=floor, warning_mode="never"
        )
    names = [comparison["output_column_name"] for comparison in settings["comparisons"]]
    levels = [f"{prefix}{name}" for name in names for prefix in ("gamma_", "mw_")]
    pairs = linker.misc.query_sql(
        f"select {', '.join([*KEY, 'match_probability', 'match_weight', *levels])}"
        f" from {predictions.physical_name} where match_probability >= {float(floor)!r}",
        output_type="pandas",
    )
    predictions.drop_table_from_database_and_remove_from_cache()
    return tidy_pairs(pairs, floor)


def tidy_pairs(pairs: pd.DataFrame, floor: float) -> pd.DataFrame:
    """Ids, probability, weight, and per comparison its level (gamma_*) and weight (mw_*),
    lower record id on the left, only pairs at or above `floor`, in key order.

    Every comparison is symmetric, so swapping a pair's ids leaves its levels and weights
    as they are. The compared values themselves (`forename_l`...) are dropped: the caller
    has them, and a pairs frame without them carries no personal data.
    """
    levels = sorted(c for c in pairs.columns if c.startswith(("gamma_", "mw_")))
    pairs = pairs.loc[
        pairs["match_probability"] >= floor, [*KEY, "match_probability", "match_weight", *levels]
    ].copy()
    swap = pairs["record_id_l"] > pairs["record_id_r"]
    pairs.loc[swap, KEY] = pairs.loc[swap, KEY[::-1]].to_numpy()
    return pairs.sort_values(KEY, kind="stable").reset_index(drop=True)


def predict_pairs_duckdb(
    left: pd.DataFrame,
    right: pd.DataFrame | None,
    model_json: Path,
    tf_tables: dict[str, pd.DataFrame],
    floor: float,
) -> pd.DataFrame:
    """The DuckDB twin of `predict_pairs_spark`: the saved model loaded as it stands."""
    import duckdb

    settings = with_levels_kept(json.loads(Path(model_json).read_text(encoding="utf-8")))
    con = duckdb.connect()
    try:
        return score_pairs(DuckDBAPI(con), settings, left, right, tf_tables, floor)
    finally:
        con.close()

"""Score identity pairs with a frozen model: a full run over every identity, or only the new.

A model is trained (or shipped, or loaded from a saved file), then frozen with the name
frequencies it was built on (matching/scoring_state.py); every pair is scored with the
frozen model through Splink 5's `predict_within` / `predict_between`, on DuckDB or Spark,
so a full run and an incremental one agree to the last digit. Each scored pair then gets
its caution flag (matching/sql/caution_pair.sql) and the pairs are clustered
(matching/clustering.py).
"""

from __future__ import annotations

import copy
import json
import logging
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
from splink import DuckDBAPI, Linker

from data_contracts.warehouse import scalar
from matching.clustering import Clusters, cluster_with_overrides
from matching.model import common_name_frequencies
from matching.scoring_state import (
    FrozenModel,
    hashed_frequencies,
    load_term_frequencies,
    lookup_tables,
    save_model_files,
    tf_columns,
)
from matching.spark_engine import predict_pairs_spark
from matching.training import ScoringModel, TrainingOptions, build_linker

log = logging.getLogger(__name__)
DEFAULT_THRESHOLD = 0.95
DEFAULT_REVIEW_BAND = (0.50, 0.95)
ENGINES = ("duckdb", "spark")
CAUTION_SQL = (Path(__file__).parent / "sql" / "caution_pair.sql").read_text(encoding="utf-8")
# Above this share of true matches with an outright different forename or date of birth
# (the model's m for that comparison's else level), the field is unreliable in the data at
# hand and a difference there is no sign of a second person (docs/matching.md, "Twins,
# siblings and generations").
UNRELIABLE_FIELD = 0.03


@dataclass(frozen=True)
class LinkOptions:
    """The plan's `matching` section, typed (indicators/plans/national.yaml)."""

    threshold: float = DEFAULT_THRESHOLD
    review_band: tuple[float, float] = DEFAULT_REVIEW_BAND
    training: TrainingOptions = field(default_factory=TrainingOptions)

    @property
    def floor(self) -> float:
        """Pairs are scored and kept down to here: the link threshold or the review band."""
        return min(self.threshold, self.review_band[0])

    @classmethod
    def from_plan(cls, matching: dict[str, Any]) -> LinkOptions:
        band = matching.get("review_band", list(DEFAULT_REVIEW_BAND))
        defaults = TrainingOptions()
        return cls(
            threshold=float(matching.get("link_threshold", DEFAULT_THRESHOLD)),
            review_band=(float(band[0]), float(band[1])),
            training=TrainingOptions(
                min_training_records=int(
                    matching.get("min_training_records", defaults.min_training_records)
                ),
                training_seed=int(matching.get("training_seed", defaults.training_seed)),
                u_sample_pairs=float(matching.get("u_sample_pairs", defaults.u_sample_pairs)),
            ),
        )


@dataclass(frozen=True)
class Scored:
    """One run's scoring: identity -> cluster, the pairs, and how the model was got."""

    clusters: pd.DataFrame  # record_id, cluster_id
    pairs: pd.DataFrame  # record_id_l, record_id_r, match_probability, match_weight, caution
    model: ScoringModel
    must_links: int
    cannot_links: int
    frozen: FrozenModel
    mode: str = "full"
    new_identities: int = 0


def freeze(
    con: duckdb.DuckDBPyConnection,
    model: ScoringModel,
    saved: tuple[str, dict[str, pd.DataFrame]] | None = None,
) -> FrozenModel:
    """The model's settings and the name frequencies it scores with, hashed.

    `saved`: the frequencies a loaded model file was scored with, used as they are. A
    shipped model takes the shipped common names; a trained one counts the names of the
    identities it was trained on.
    """
    settings = json.loads(json.dumps(model.linker.misc.save_model_to_json()))
    if saved is not None:
        salt, hashed = saved
        return FrozenModel(settings, hashed, model.source, salt)
    plain = {}
    for column in tf_columns(settings):
        if model.shipped:
            shares = common_name_frequencies().get(column, {})
            plain[column] = pd.DataFrame(
                {column: list(shares), f"tf_{column}": list(shares.values())}
            )
            continue
        table = model.linker.table_management.compute_tf_table(column)
        plain[column] = con.sql(
            f"select {column}, tf_{column} from {table.physical_name} order by {column}"
        ).df()
    salt, hashed = hashed_frequencies(plain)
    return FrozenModel(settings, hashed, model.source, salt)


def caution_switches(settings: dict[str, Any]) -> dict[str, bool]:
    """Which household patterns wait for a reviewer under this model (caution_pair.sql)."""

    def reliable(column: str) -> bool:
        comparison = next(c for c in settings["comparisons"] if c["output_column_name"] == column)
        return float(comparison["comparison_levels"][-1]["m_probability"]) <= UNRELIABLE_FIELD

    return {"hold_twins": reliable("forename"), "hold_generations": reliable("dob")}


def frozen_linker(
    con: duckdb.DuckDBPyConnection,
    frozen: FrozenModel,
    table: str = "identity",
    lookups: dict[str, pd.DataFrame] | None = None,
) -> Linker:
    """A linker that scores with `frozen` exactly: settings as saved, frequencies registered.

    Its settings are not validated again (half a second of SQL parsing per linker, and a
    night makes several): they are the settings of a model Splink built or loaded.
    """
    db = DuckDBAPI(con)
    linker = Linker(
        db.register(table),
        copy.deepcopy(frozen.settings),
        log_level=None,
        validate_settings=False,
    )
    for column, frame in (lookups or {}).items():
        linker.table_management.register_term_frequency_lookup(db.register(frame), column)
    return linker


def predict_pairs(
    con: duckdb.DuckDBPyConnection,
    frozen: FrozenModel,
    left: str,
    right: str | None,
    floor: float,
    engine: str = "duckdb",
) -> pd.DataFrame:
    """Pairs within `left` (right None) or between `left` and `right`, at or above `floor`.

    Every pair comes out with the smaller record id on the left, whichever side it came
    from, so pairs from different runs and engines compare row for row; each carries its
    caution flag, judged against the `identity` table.
    """
    started = time.perf_counter()
    lookups = lookup_tables(con, frozen, [left] if right is None else [left, right])
    if engine == "spark":
        with tempfile.TemporaryDirectory() as folder:
            model_json = Path(folder) / "model.json"
            model_json.write_text(frozen.to_json(), encoding="utf-8")
            raw = predict_pairs_spark(
                con.sql(f"select * from {left}").df(),
                None if right is None else con.sql(f"select * from {right}").df(),
                model_json,
                lookups,
                floor,
            )
        con.register("_spark_pairs", raw)
        source = "_spark_pairs"
    else:
        linker = frozen_linker(con, frozen, left, lookups)
        db = linker._db_api
        if right is None:
            result = linker.inference.predict_within(
                db.register(left), threshold_match_probability=floor
            )
        else:
            result = linker.inference.predict_between(
                db.register(left), db.register(right), threshold_match_probability=floor
            )
        source = result.physical_name
    con.execute(
        "create or replace table _scored_pair as select least(record_id_l, record_id_r)"
        " as record_id_l, greatest(record_id_l, record_id_r) as record_id_r,"
        f" match_probability, match_weight from {source} where match_probability >= {floor!r}"
    )
    if engine == "spark":
        con.unregister("_spark_pairs")
    pairs = con.execute(
        CAUTION_SQL.format(pairs="_scored_pair", identities="identity"),
        caution_switches(frozen.settings),
    ).df()
    con.execute("drop table _scored_pair")
    log.info(
        "linkage block and score (%s, %s): %d pairs at or above %.2f, in %.1f s",
        left if right is None else f"{left} against {right}",
        engine,
        len(pairs),
        floor,
        time.perf_counter() - started,
    )
    return pairs


def clustered(
    con: duckdb.DuckDBPyConnection,
    pairs: pd.DataFrame,
    threshold: float,
    overrides: pd.DataFrame | None,
) -> Clusters:
    """Pairs clustered at `threshold` with reviewers' decisions, and a line saying so."""
    started = time.perf_counter()
    clusters = cluster_with_overrides(con, pairs, threshold, overrides)
    log.info(
        "linkage cluster: %d identities into %d clusters at %.2f (%d must-link, %d cannot-link"
        " decisions), in %.1f s",
        len(clusters.frame),
        clusters.frame["cluster_id"].nunique(),
        threshold,
        clusters.must,
        clusters.cannot,
        time.perf_counter() - started,
    )
    return clusters


def score_identities(
    con: duckdb.DuckDBPyConnection,
    options: LinkOptions,
    model_in: Path | None = None,
    model_out: Path | None = None,
    overrides: pd.DataFrame | None = None,
    engine: str = "duckdb",
) -> Scored:
    """Score every pair of the `identity` table and cluster them at the plan's threshold.

    The model is trained (or shipped, or loaded from `model_in`), then frozen, and every
    pair is scored with the frozen model: the same path an incremental run takes, so the
    two agree to the last digit.
    """
    n_records = int(scalar(con, "select count(*) from identity") or 0)
    db = DuckDBAPI(con)
    sdf = db.register("identity", dataset_display_name="identity")
    model = build_linker(db, sdf, n_records, options.training, model_in)
    frozen = freeze(con, model, load_term_frequencies(model_in) if model_in else None)
    if model_out is not None:
        save_model_files(frozen, model_out)
    pairs = predict_pairs(con, frozen, "identity", None, options.floor, engine)
    clusters = clustered(con, pairs, options.threshold, overrides)
    return Scored(clusters.frame, pairs, model, clusters.must, clusters.cannot, frozen)


def score_new_identities(
    con: duckdb.DuckDBPyConnection,
    options: LinkOptions,
    frozen: FrozenModel,
    kept_ids: pa.Table,
    kept: pa.Table,
    overrides: pd.DataFrame | None = None,
    engine: str = "duckdb",
) -> Scored:
    """Score only identities not seen before, against each other and the kept ones.

    `kept_ids` are the identities earlier runs scored and `kept` their pairs; those of
    identities no longer in any feed (a superseded file) drop out.
    """
    con.register("_kept_ids", kept_ids)
    con.execute(
        "create or replace table new_identity as select * from identity"
        " where record_id not in (select record_id from _kept_ids)"
    )
    con.execute(
        "create or replace table kept_identity as select * from identity"
        " where record_id in (select record_id from _kept_ids)"
    )
    con.unregister("_kept_ids")
    con.register("_kept_pairs", kept)
    old = con.execute(
        "select * from _kept_pairs where record_id_l in (select record_id from kept_identity)"
        " and record_id_r in (select record_id from kept_identity)"
    ).df()
    con.unregister("_kept_pairs")
    parts = [old]
    n_new = int(scalar(con, "select count(*) from new_identity") or 0)
    if n_new:
        parts.append(predict_pairs(con, frozen, "new_identity", None, options.floor, engine))
        if scalar(con, "select count(*) from kept_identity"):
            parts.append(
                predict_pairs(con, frozen, "new_identity", "kept_identity", options.floor, engine)
            )
    pairs = (
        pd.concat([part for part in parts if len(part)] or parts[:1], ignore_index=True)
        .sort_values(["record_id_l", "record_id_r"])
        .reset_index(drop=True)
    )
    clusters = clustered(con, pairs, options.threshold, overrides)
    model = ScoringModel(frozen_linker(con, frozen), f"incremental ({frozen.source})")
    return Scored(
        clusters.frame, pairs, model, clusters.must, clusters.cannot, frozen, "incremental", n_new
    )

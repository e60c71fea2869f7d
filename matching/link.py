"""Link person records from every source into one person ID with Splink.

Source rows repeat the same identity many times (a pupil in every term's census), so rows
are first reduced to distinct normalised identities; Splink scores and clusters those, and
every source row inherits the person ID of its identity. Reviewers' must-link and
cannot-link decisions change the edges before clustering; the stable-ID layer then names
each cluster (matching/stable_ids.py).
"""

from __future__ import annotations

import copy
import json
import logging
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
from splink import DuckDBAPI, Linker
from splink.clustering import cluster_pairwise_predictions_at_threshold

from data_contracts.feeds import PERSON_FEEDS
from data_contracts.warehouse import scalar
from matching.model import nickname_table
from matching.scoring_state import (
    FrozenModel,
    fingerprint,
    kept_pairs,
    kept_record_ids,
    load_state,
    load_term_frequencies,
    save_model,
    save_model_files,
    save_scored,
    tf_columns,
)
from matching.stable_ids import PERSON, assign_stable_ids, next_run_id
from matching.training import ScoringModel, TrainingOptions, build_linker

log = logging.getLogger(__name__)

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
# Linkage's own DuckDB, beside the warehouse's (data_contracts/warehouse.py): together
# they keep a 300,000-household nightly under 8 GiB, spilling to disk past the cap.
WORK_MEMORY_LIMIT = "3GB"
DEFAULT_THRESHOLD = 0.95
DEFAULT_REVIEW_BAND = (0.50, 0.95)

NORMALISE_SQL = """
with cleaned as (
    select
        cast(source as varchar) as source,
        cast(source_record_id as varchar) as source_record_id,
        nullif(trim(cast(source_person_id as varchar)), '') as source_person_id,
        nullif(regexp_replace(strip_accents(lower(cast(forename as varchar))), '[^a-z]', '', 'g'),
               '') as forename,
        nullif(regexp_replace(strip_accents(lower(cast(surname as varchar))), '[^a-z]', '', 'g'),
               '') as surname,
        try_cast(cast(dob as varchar) as date) as dob,
        nullif(regexp_replace(upper(cast(postcode as varchar)), '[^A-Z0-9]', '', 'g'), '')
            as postcode_compact,
        nullif(regexp_replace(upper(cast(upn as varchar)), '[^A-Z0-9]', '', 'g'), '') as upn,
        nullif(regexp_replace(upper(cast(nino as varchar)), '[^A-Z0-9]', '', 'g'), '') as nino,
        nullif(regexp_replace(cast(nhs_number as varchar), '[^0-9]', '', 'g'), '') as nhs_number
    from {source_table}
),
postcode_parts as (
    select
        *,
        regexp_matches(
            coalesce(postcode_compact, ''), '^[A-Z]{{1,2}}[0-9][A-Z0-9]?[0-9][A-Z]{{2}}$'
        ) as is_uk,
        substr(postcode_compact, 1, length(postcode_compact) - 3) as outward,
        right(postcode_compact, 3) as inward
    from cleaned
),
final as (
    select
        cleaned.*,
        coalesce(nickname.canonical, cleaned.forename) as forename_canonical,
        -- A UK postcode gets its one space and its sector, district and area; any other
        -- (an overseas or malformed one) is kept as written, so exact agreement counts.
        case when is_uk then outward || ' ' || inward
             when length(postcode_compact) between 2 and 10 then postcode_compact
        end as postcode,
        case when is_uk then outward || ' ' || left(inward, 1) end as postcode_sector,
        case when is_uk then outward end as postcode_district,
        case when is_uk then regexp_extract(outward, '^[A-Z]+') end as postcode_area,
        'R' || substr(md5(concat_ws('|', source, source_person_id, cleaned.forename, surname,
                                    cast(dob as varchar), postcode_compact, upn, nino,
                                    nhs_number)), 1, 16) as record_id
    from postcode_parts as cleaned
    left join nickname on nickname.name = cleaned.forename
)
select * exclude (postcode_compact, is_uk, outward, inward) from final
"""

IDENTITY_COLUMNS = (
    "record_id, source, source_person_id, forename, forename_canonical, surname, dob,"
    " postcode, postcode_sector, postcode_district, postcode_area, upn, nino, nhs_number"
)


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
    pairs: pd.DataFrame  # record_id_l, record_id_r, match_probability, match_weight
    model: ScoringModel
    must_links: int
    cannot_links: int
    frozen: FrozenModel | None = None
    mode: str = "full"
    new_identities: int = 0


ENGINES = ("duckdb", "spark")


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
    con.execute(
        "create or replace table normalised_row as "
        + NORMALISE_SQL.format(source_table=source_table)
    )
    con.execute(
        f"create or replace table identity as select distinct on (record_id) {IDENTITY_COLUMNS}"
        " from normalised_row order by record_id"
    )


def freeze(
    con: duckdb.DuckDBPyConnection,
    model: ScoringModel,
    saved: dict[str, pd.DataFrame] | None = None,
) -> FrozenModel:
    """The model's settings and the name frequencies of the identities it was built on.

    `saved`: the frequencies a loaded model file was scored with, used as they are.
    """
    settings = json.loads(json.dumps(model.linker.misc.save_model_to_json()))
    if saved is not None:
        return FrozenModel(settings, saved, model.source)
    frequencies = {}
    for column in tf_columns(settings):
        table = model.linker.table_management.compute_tf_table(column)
        frequencies[column] = con.sql(
            f"select {column}, tf_{column} from {table.physical_name} order by {column}"
        ).df()
    return FrozenModel(settings, frequencies, model.source)


def frozen_linker(
    con: duckdb.DuckDBPyConnection, frozen: FrozenModel, table: str = "identity"
) -> Linker:
    """A linker that scores with `frozen` exactly: settings as saved, frequencies registered."""
    db = DuckDBAPI(con)
    linker = Linker(db.register(table), copy.deepcopy(frozen.settings), log_level=None)
    for column, frame in frozen.term_frequencies.items():
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
    from, so pairs from different runs and engines compare row for row.
    """
    if engine == "spark":
        from matching.spark_engine import predict_pairs_spark

        with tempfile.TemporaryDirectory() as folder:
            model_json = Path(folder) / "model.json"
            model_json.write_text(frozen.to_json(), encoding="utf-8")
            raw = predict_pairs_spark(
                con.sql(f"select * from {left}").df(),
                None if right is None else con.sql(f"select * from {right}").df(),
                model_json,
                frozen.term_frequencies,
                floor,
            )
        con.register("_spark_pairs", raw)
        source = "_spark_pairs"
    else:
        linker = frozen_linker(con, frozen, left)
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
    pairs = con.sql(
        "select least(record_id_l, record_id_r) as record_id_l,"
        " greatest(record_id_l, record_id_r) as record_id_r, match_probability, match_weight"
        f" from {source} where match_probability >= {floor!r} order by all"
    ).df()
    if engine == "spark":
        con.unregister("_spark_pairs")
    return pairs


def score_identities(
    con: duckdb.DuckDBPyConnection,
    options: LinkOptions,
    model_in: Path | None = None,
    model_out: Path | None = None,
    overrides: pd.DataFrame | None = None,
    engine: str = "duckdb",
) -> Scored:
    """Score every pair of the `identity` table and cluster them at the plan's threshold.

    The model is trained (or shipped, or loaded from `model_in`), then frozen with the
    name frequencies of these identities, and every pair is scored with the frozen model:
    the same path an incremental run takes, so the two agree to the last digit.
    """
    n_records = int(scalar(con, "select count(*) from identity") or 0)
    db = DuckDBAPI(con)
    sdf = db.register("identity", dataset_display_name="identity")
    model = build_linker(db, sdf, n_records, options.training, model_in)
    frozen = freeze(con, model, load_term_frequencies(model_in) if model_in else None)
    if model_out is not None:
        save_model_files(frozen, model_out)
    pairs = predict_pairs(con, frozen, "identity", None, options.floor, engine)
    clusters = cluster_with_overrides(con, pairs, options.threshold, overrides)
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
        pd.concat(parts, ignore_index=True)
        .sort_values(["record_id_l", "record_id_r"])
        .reset_index(drop=True)
    )
    clusters = cluster_with_overrides(con, pairs, options.threshold, overrides)
    linker = frozen_linker(con, frozen)
    model = ScoringModel(linker, f"incremental ({frozen.source})")
    return Scored(
        clusters.frame, pairs, model, clusters.must, clusters.cannot, frozen, "incremental", n_new
    )


@dataclass(frozen=True)
class Clusters:
    frame: pd.DataFrame
    must: int
    cannot: int


def cluster_with_overrides(
    con: duckdb.DuckDBPyConnection,
    pairs: pd.DataFrame,
    threshold: float,
    overrides: pd.DataFrame | None,
) -> Clusters:
    """Edges at or above `threshold`, reviewers' decisions applied, clustered.

    `overrides` (record_id_l, record_id_r, decision 'link' | 'no link') adds must-link
    edges and removes cannot-link edges before clustering.
    """
    edges = pairs.loc[pairs["match_probability"] >= threshold, ["record_id_l", "record_id_r"]]
    must, cannot = 0, 0
    if overrides is not None and len(overrides):
        decided = overrides.assign(
            record_id_l=overrides[["record_id_l", "record_id_r"]].min(axis=1),
            record_id_r=overrides[["record_id_l", "record_id_r"]].max(axis=1),
        )
        present = set(con.sql("select record_id from identity").df()["record_id"])
        decided = decided[
            decided["record_id_l"].isin(present) & decided["record_id_r"].isin(present)
        ]
        links = decided.loc[decided["decision"] == "link", ["record_id_l", "record_id_r"]]
        apart = decided.loc[decided["decision"] == "no link", ["record_id_l", "record_id_r"]]
        must, cannot = len(links), len(apart)
        key = ["record_id_l", "record_id_r"]
        edges = edges.merge(apart.assign(_apart=True), on=key, how="left")
        edges = edges[edges["_apart"].isna()][key]
        edges = pd.concat([edges, links]).drop_duplicates()
    return Clusters(cluster_edges(con, "identity", "record_id", edges), must, cannot)


def cluster_edges(
    con: duckdb.DuckDBPyConnection, node_table: str, node_column: str, edges: pd.DataFrame
) -> pd.DataFrame:
    """Connected components of `edges` over every node in `node_table`."""
    db = DuckDBAPI(con)
    con.register("_edges_frame", edges.reset_index(drop=True))
    con.execute("create or replace table _cluster_edges as select * from _edges_frame")
    con.unregister("_edges_frame")
    con.execute(
        f"create or replace table _cluster_nodes as select distinct {node_column} from {node_table}"
    )
    result = cluster_pairwise_predictions_at_threshold(
        db.register("_cluster_nodes"),
        db.register("_cluster_edges"),
        db_api=db,
        node_id_column_name=node_column,
        edge_id_column_name_left=f"{node_column}_l",
        edge_id_column_name_right=f"{node_column}_r",
    )
    return con.sql(
        f"select {node_column}, cluster_id from {result.physical_name} order by {node_column}"
    ).df()


def person_of_record_by_min(clusters: pd.DataFrame) -> pd.DataFrame:
    """Without a registry: a person ID from the cluster's smallest record id (order-free)."""
    import hashlib

    smallest = clusters.groupby("cluster_id")["record_id"].transform("min")
    ids = smallest.map(lambda r: "P" + hashlib.md5(r.encode()).hexdigest()[:12])
    return pd.DataFrame({"record_id": clusters["record_id"], "person_id": ids})


def link_persons(
    records: pd.DataFrame,
    threshold: float = DEFAULT_THRESHOLD,
    options: LinkOptions | None = None,
    model_in: Path | None = None,
) -> pd.DataFrame:
    """Link any table of SPEC person columns plus `source` and `source_record_id`.

    Returns the input with a `person_id` column, so an outside data set can be linked and
    scored with the same model the nightly run uses (defaults: plan threshold 0.95; trains
    when there are at least 5,000 distinct identities, else the shipped model).
    """
    missing = [c for c in ("source", "source_record_id") if c not in records.columns]
    if missing:
        raise ValueError(f"link_persons: missing column(s) {', '.join(missing)}")
    options = options or LinkOptions(threshold=threshold)
    frame = records.copy()
    for column in PERSON_COLUMNS:
        if column not in frame.columns:
            frame[column] = None
    frame = frame[["source", "source_record_id", *PERSON_COLUMNS]]
    con = work_connection()
    con.register("input_records", frame)
    normalise(con, "input_records")
    con.unregister("input_records")
    scored = score_identities(con, options, model_in)
    con.register("_person_of_record", person_of_record_by_min(scored.clusters))
    person_of_row = con.execute(
        "select n.source, n.source_record_id, p.person_id from normalised_row n "
        "join _person_of_record p using (record_id)"
    ).df()
    con.close()
    key = ["source", "source_record_id"]
    out = records.copy()
    out[key] = out[key].astype(str)
    return out.merge(person_of_row, on=key, how="left")


@dataclass(frozen=True)
class TrainedIdentities:
    """A warehouse's distinct identities in a work connection, and a model trained on them."""

    work: duckdb.DuckDBPyConnection  # holds `identity`
    identities: pd.DataFrame
    model: FrozenModel
    model_json: Path


def train_on_warehouse(
    con: duckdb.DuckDBPyConnection, training: TrainingOptions, model_out: Path
) -> TrainedIdentities:
    """Normalise every staged person row, train on the identities, freeze and save the model.

    For comparing scoring engines on the same model (tests, bench/bench_spark.py); the
    nightly itself goes through `link_warehouse_run`.
    """
    work = normalised_person_rows(con)
    identities = work.execute(f"select {IDENTITY_COLUMNS} from identity order by record_id").df()
    db = DuckDBAPI(work)
    sdf = db.register("identity", dataset_display_name="identity")
    frozen = freeze(work, build_linker(db, sdf, len(identities), training))
    save_model_files(frozen, model_out)
    return TrainedIdentities(work, identities, frozen, model_out)


def normalised_person_rows(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A work connection holding `normalised_row` and `identity` of every staged person row.

    Rows cross over as Arrow, not pandas: millions of rows at a large council.
    """
    rows = con.sql(person_rows_sql()).to_arrow_table()
    work = work_connection()
    work.register("person_rows", rows)
    normalise(work, "person_rows")
    work.unregister("person_rows")
    return work


def person_rows_sql() -> str:
    """Every staged row that names a person, in one table of person columns."""
    parts = [
        f"select '{feed}' as source, source_record_id, "
        + ", ".join(PERSON_COLUMNS)
        + f" from stg_{feed}"
        for feed in PERSON_FEEDS
    ]
    return "\nunion all\n".join(parts)


def read_overrides(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The latest reviewer decision per pair (matching/review.py writes `review_decision`)."""
    exists = scalar(
        con, "select count(*) from information_schema.tables where table_name = 'review_decision'"
    )
    if not exists:
        return pd.DataFrame(columns=["record_id_l", "record_id_r", "decision"])
    return con.execute(
        "select record_id_l, record_id_r, decision from review_decision "
        "qualify row_number() over (partition by record_id_l, record_id_r "
        "order by imported_seq desc, row_number desc) = 1 order by all"
    ).df()


@dataclass(frozen=True)
class LinkResult:
    run_id: int
    people: int
    model_source: str
    review_pairs: int
    mode: str = "full"
    new_identities: int = 0


def link_warehouse(
    con: duckdb.DuckDBPyConnection,
    threshold: float,
    model_dir: Path | None = None,
    options: LinkOptions | None = None,
    model_in: Path | None = None,
    outputs: Path | None = None,
) -> int:
    """Bring `person_link` (source row -> stable person) up to date with every staged feed.

    Also writes this run's `person_review_pair`, `candidate_family` and `link_run` row. A
    model built this run is saved as `model_dir/person-model-run-<run>.json`; `model_in`
    scores everything with a saved model instead (an audit re-run). With `outputs`, the
    review workbook and the match-quality page go in that folder. Returns the number of
    people.
    """
    return link_warehouse_run(con, threshold, model_dir, options, model_in, outputs).people


def full_rescoring_reason(
    state: tuple[int, str, FrozenModel] | None,
    options: LinkOptions,
    identities: int,
    rebuild: bool,
    model_in: Path | None,
) -> str | None:
    """Why this run must score every pair afresh, or None when new identities suffice."""
    if rebuild:
        return "rebuild asked for"
    if model_in is not None:
        return f"model given ({model_in.name})"
    if state is None:
        return "no earlier linkage run"
    _, kept_print, frozen = state
    if kept_print != fingerprint(options.floor):
        return "model version or review floor changed"
    if frozen.source.startswith("shipped") and identities >= options.training.min_training_records:
        return f"enough identities to train ({identities})"
    return None


def link_warehouse_run(
    con: duckdb.DuckDBPyConnection,
    threshold: float,
    model_dir: Path | None = None,
    options: LinkOptions | None = None,
    model_in: Path | None = None,
    outputs: Path | None = None,
    rebuild: bool = False,
    engine: str = "duckdb",
) -> LinkResult:
    """One linkage run: incremental when the model in force still holds, else full.

    Everything the run writes to the warehouse is written in one transaction, so a run
    killed part way leaves the previous run's people, pairs and model as they were.
    """
    from matching.families import build_candidate_families
    from matching.quality import record_quality, write_quality_page
    from matching.review import record_review_pairs, write_review_workbook

    options = options or LinkOptions(threshold=threshold)
    run_id = next_run_id(con)
    work = normalised_person_rows(con)
    n_identities = int(scalar(work, "select count(*) from identity") or 0)
    state = load_state(con)
    reason = full_rescoring_reason(state, options, n_identities, rebuild, model_in)
    overrides = read_overrides(con)
    if reason is None and state is not None:
        kept_run, _, frozen = state
        model_path = model_dir / f"person-model-run-{kept_run}.json" if model_dir else None
        scored = score_new_identities(
            work, options, frozen, kept_record_ids(con), kept_pairs(con), overrides, engine
        )
    else:
        log.info("linkage run %d scores every pair: %s", run_id, reason)
        model_path = model_dir / f"person-model-run-{run_id}.json" if model_dir else None
        scored = score_identities(work, options, model_in, model_path, overrides, engine)
    identities = work.sql("select * from identity order by record_id").to_arrow_table()
    con.execute("begin transaction")
    try:
        person_of_record = assign_stable_ids(con, PERSON, scored.clusters, run_id)
        work.register("_person_of_record", person_of_record)
        links = work.sql(
            "select n.source, n.source_record_id, n.record_id, p.person_id"
            " from normalised_row n join _person_of_record p using (record_id)"
            " order by n.source, n.source_record_id"
        ).to_arrow_table()
        con.execute("create or replace table person_link as select * from links")
        review = record_review_pairs(con, run_id, scored.pairs, identities, options.review_band)
        record_quality(con, run_id, scored, person_of_record, options.threshold)
        build_candidate_families(con, run_id)
        if scored.mode == "full" and scored.frozen is not None:
            save_model(con, run_id, fingerprint(options.floor), scored.frozen)
        save_scored(con, identities, scored.pairs)
        people = int(scalar(con, "select count(distinct person_id) from person_link") or 0)
        record_run(con, run_id, scored, model_path, identities.num_rows, people, review)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    finally:
        work.close()
    if outputs is not None:
        write_review_workbook(con, run_id, outputs / f"review-run-{run_id}.xlsx")
        write_quality_page(con, run_id, outputs / f"match-quality-run-{run_id}.html")
    log.info(
        "linkage run %d (%s): %d source rows, %d people, %d new identities; model %s;"
        " %d pairs for review",
        run_id,
        scored.mode,
        links.num_rows,
        people,
        scored.new_identities if scored.mode == "incremental" else identities.num_rows,
        scored.model.source,
        review,
    )
    return LinkResult(
        run_id, people, scored.model.source, review, scored.mode, scored.new_identities
    )


def record_run(
    con: duckdb.DuckDBPyConnection,
    run_id: int,
    scored: Scored,
    model_path: Path | None,
    identities: int,
    people: int,
    review: int,
) -> None:
    con.execute("alter table link_run add column if not exists mode varchar")
    con.execute("alter table link_run add column if not exists new_identities integer")
    con.execute(
        "insert into link_run by name select $run as run_id, $source as model_source,"
        " $file as model_file, $ids as identities, $people as people, $pairs as pairs_scored,"
        " $review as review_pairs, $must as must_links, $cannot as cannot_links,"
        " $note as note, $mode as mode, $new as new_identities",
        {
            "run": run_id,
            "source": scored.model.source.split(" ")[0],
            "file": str(model_path) if model_path else None,
            "ids": identities,
            "people": people,
            "pairs": len(scored.pairs),
            "review": review,
            "must": scored.must_links,
            "cannot": scored.cannot_links,
            "note": scored.model.source,
            "mode": scored.mode,
            "new": scored.new_identities if scored.mode == "incremental" else identities,
        },
    )

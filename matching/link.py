"""Link person records from every source into one person ID with Splink.

Source rows repeat the same identity many times (a pupil in every term's census), so rows
are first reduced to distinct normalised identities; Splink scores and clusters those, and
every source row inherits the person ID of its identity. Reviewers' must-link and
cannot-link decisions change the edges before clustering; the stable-ID layer then names
each cluster (matching/stable_ids.py).
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
from splink import DuckDBAPI
from splink.clustering import cluster_pairwise_predictions_at_threshold

from data_contracts.feeds import PERSON_FEEDS
from data_contracts.warehouse import scalar
from matching.model import nickname_table
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
    pairs: pd.DataFrame  # record_id_l, record_id_r, match_probability, match_weight, gammas
    model: ScoringModel
    must_links: int
    cannot_links: int


def work_connection() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB that spills to disk rather than run out of memory (KNOWN_GROUND)."""
    con = duckdb.connect(
        config={"memory_limit": "6GB", "temp_directory": tempfile.gettempdir() + "/sfp-duckdb"}
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


def score_identities(
    con: duckdb.DuckDBPyConnection,
    options: LinkOptions,
    model_in: Path | None = None,
    model_out: Path | None = None,
    overrides: pd.DataFrame | None = None,
) -> Scored:
    """Score pairs of the `identity` table and cluster them at the plan's threshold.

    `overrides` (record_id_l, record_id_r, decision 'link' | 'no link') adds must-link
    edges and removes cannot-link edges before clustering.
    """
    n_records = int(scalar(con, "select count(*) from identity") or 0)
    db = DuckDBAPI(con)
    sdf = db.register("identity", dataset_display_name="identity")
    model = build_linker(db, sdf, n_records, options.training, model_in)
    if model_out is not None:
        model_out.parent.mkdir(parents=True, exist_ok=True)
        model.linker.misc.save_model_to_json(str(model_out), overwrite=True)
    floor = min(options.threshold, options.review_band[0])
    predictions = model.linker.inference.predict(threshold_match_probability=floor)
    pairs = con.sql(
        f"select * from {predictions.physical_name} order by record_id_l, record_id_r"
    ).df()
    edges = pairs.loc[
        pairs["match_probability"] >= options.threshold, ["record_id_l", "record_id_r"]
    ]
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
    clusters = cluster_edges(con, "identity", "record_id", edges)
    return Scored(clusters, pairs, model, must, cannot)


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


def link_warehouse(
    con: duckdb.DuckDBPyConnection,
    threshold: float,
    model_dir: Path | None = None,
    options: LinkOptions | None = None,
    model_in: Path | None = None,
    outputs: Path | None = None,
) -> int:
    """Rebuild `person_link` (source row -> stable person) from every staged feed.

    Also writes this run's `person_review_pair`, `candidate_family` and `link_run` row. The
    model used is saved as `model_dir/person-model-run-<run>.json`; `model_in` scores with
    a saved model instead of training (an audit re-run). With `outputs`, the review
    workbook and the match-quality page go in that folder. Returns the number of people.
    """
    return link_warehouse_run(con, threshold, model_dir, options, model_in, outputs).people


def link_warehouse_run(
    con: duckdb.DuckDBPyConnection,
    threshold: float,
    model_dir: Path | None = None,
    options: LinkOptions | None = None,
    model_in: Path | None = None,
    outputs: Path | None = None,
) -> LinkResult:
    from matching.families import build_candidate_families
    from matching.quality import record_quality, write_quality_page
    from matching.review import record_review_pairs, write_review_workbook

    options = options or LinkOptions(threshold=threshold)
    run_id = next_run_id(con)
    model_path = model_dir / f"person-model-run-{run_id}.json" if model_dir else None
    rows = con.execute(person_rows_sql()).df()
    work = work_connection()
    work.register("person_rows", rows)
    normalise(work, "person_rows")
    work.unregister("person_rows")
    scored = score_identities(work, options, model_in, model_path, read_overrides(con))
    person_of_record = assign_stable_ids(con, PERSON, scored.clusters, run_id)
    work.register("_person_of_record", person_of_record)
    links = work.execute(
        "select n.source, n.source_record_id, n.record_id, p.person_id from normalised_row n "
        "join _person_of_record p using (record_id) order by n.source, n.source_record_id"
    ).df()
    identities = work.execute("select * from identity order by record_id").df()
    work.close()
    con.execute("create or replace table person_link as select * from links")
    review = record_review_pairs(con, run_id, scored.pairs, identities, options.review_band)
    record_quality(con, run_id, scored, person_of_record, options.threshold)
    build_candidate_families(con, run_id)
    people = int(scalar(con, "select count(distinct person_id) from person_link") or 0)
    con.execute(
        "insert into link_run values ($run, $source, $file, $ids, $people, $pairs, $review,"
        " $must, $cannot, $note)",
        {
            "run": run_id,
            "source": scored.model.source.split(" ")[0],
            "file": str(model_path) if model_path else None,
            "ids": len(identities),
            "people": people,
            "pairs": len(scored.pairs),
            "review": review,
            "must": scored.must_links,
            "cannot": scored.cannot_links,
            "note": scored.model.source,
        },
    )
    if outputs is not None:
        write_review_workbook(con, run_id, outputs / f"review-run-{run_id}.xlsx")
        write_quality_page(con, run_id, outputs / f"match-quality-run-{run_id}.html")
    log.info(
        "linkage run %d: %d source rows, %d people; model %s; %d pairs for review",
        run_id,
        len(links),
        people,
        scored.model.source,
        review,
    )
    return LinkResult(run_id, people, scored.model.source, review)

"""Link person records from every source into one person ID with Splink.

The warehouse run and the entry point for outside data. Normalising is in
matching/normalise.py, scoring with a frozen model in matching/scoring.py, clustering in
matching/clustering.py; the stable-ID layer then names each cluster
(matching/stable_ids.py). Reviewers' must-link and cannot-link decisions change the
edges before clustering.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
from splink import DuckDBAPI

from data_contracts.warehouse import scalar
from matching.clustering import cluster_edges, person_of_record_by_min, read_overrides
from matching.families import build_candidate_families
from matching.normalise import (
    IDENTITY_COLUMNS,
    LINKED_COLUMNS,
    PERSON_COLUMNS,
    normalise,
    normalised_person_rows,
    person_rows_sql,
    work_connection,
)
from matching.quality import model_charts, record_quality, write_quality_page
from matching.review import record_review_pairs, write_review_workbook
from matching.scoring import (
    DEFAULT_THRESHOLD,
    ENGINES,
    LinkOptions,
    Scored,
    freeze,
    frozen_linker,
    score_identities,
    score_new_identities,
)
from matching.scoring_state import (
    FrozenModel,
    fingerprint,
    kept_pairs,
    kept_record_ids,
    load_state,
    lookup_tables,
    save_model,
    save_model_files,
    save_rows,
    save_scored,
)
from matching.stable_ids import PERSON, assign_stable_ids, carry_renamed_records, next_run_id
from matching.training import TrainingOptions, build_linker

__all__ = [
    "ENGINES",
    "PERSON_COLUMNS",
    "LinkOptions",
    "LinkResult",
    "cluster_edges",
    "link_persons",
    "link_warehouse",
    "link_warehouse_run",
    "person_of_record_by_min",
    "person_rows_sql",
    "train_on_warehouse",
]

log = logging.getLogger(__name__)
# An outside data set is trained on from this many distinct identities (EM is sound well
# below the nightly's 5,000: FEBRL's 1,000-record file, 999 distinct, gains 0.045 in F1
# over the shipped model); a council's nightly keeps its plan's `matching.min_training_records`.
OUTSIDE_MIN_TRAINING = 500


def link_persons(
    records: pd.DataFrame,
    threshold: float = DEFAULT_THRESHOLD,
    options: LinkOptions | None = None,
    model_in: Path | None = None,
) -> pd.DataFrame:
    """Link any table of SPEC person columns (and `address`) plus `source`, `source_record_id`.

    Returns the input with a `person_id` column, so an outside data set can be linked and
    scored with the same model the nightly run uses (defaults: plan threshold 0.95; trains
    when there are at least 500 distinct identities, else the shipped model).
    """
    missing = [c for c in ("source", "source_record_id") if c not in records.columns]
    if missing:
        raise ValueError(f"link_persons: missing column(s) {', '.join(missing)}")
    options = options or LinkOptions(
        threshold=threshold, training=TrainingOptions(min_training_records=OUTSIDE_MIN_TRAINING)
    )
    frame = records.copy()
    for column in LINKED_COLUMNS:
        if column not in frame.columns:
            frame[column] = None
    frame = frame[["source", "source_record_id", *LINKED_COLUMNS]]
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
    tf_tables: dict[str, pd.DataFrame]  # the model's name frequencies for these identities


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
    lookups = lookup_tables(work, frozen, ["identity"])
    return TrainedIdentities(work, identities, frozen, model_out, lookups)


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


def rows_kept(
    con: duckdb.DuckDBPyConnection,
    state: tuple[int, str, FrozenModel] | None,
    options: LinkOptions,
    rebuild: bool,
    model_in: Path | None,
) -> bool:
    """Whether the last run's normalised rows (`link_row`) may stand for this run's.

    Only under the same model version (a new way of normalising comes with one), and not
    on a rebuild or an audit re-run, which normalise every row afresh.
    """
    if rebuild or model_in is not None or state is None:
        return False
    if state[1] != fingerprint(options.floor):
        return False
    return bool(
        scalar(con, "select count(*) from information_schema.tables where table_name = 'link_row'")
    )


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
    options = options or LinkOptions(threshold=threshold)
    run_id = next_run_id(con)
    state = load_state(con)
    kept = rows_kept(con, state, options, rebuild, model_in)
    work = normalised_person_rows(con, kept)
    n_identities = int(scalar(work, "select count(*) from identity") or 0)
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
    charts = model_charts(
        frozen_linker(
            work, scored.frozen, "identity", lookup_tables(work, scored.frozen, ["identity"])
        )
    )
    con.execute("begin transaction")
    try:
        if scored.mode == "full":
            rows = "select source, source_record_id, record_id from row_record"
            carry_renamed_records(con, work.sql(rows).to_arrow_table())
        started = time.perf_counter()
        person_of_record = assign_stable_ids(con, PERSON, scored.clusters, run_id)
        log.info(
            "linkage stable IDs: %d people named for %d identities, in %.1f s",
            person_of_record["person_id"].nunique(),
            len(person_of_record),
            time.perf_counter() - started,
        )
        work.register("_person_of_record", person_of_record)
        n_rows = int(scalar(work, "select count(*) from row_record") or 0)
        if not (kept and update_links(con, work, person_of_record, n_rows)):
            links = work.sql(
                "select n.source, n.source_record_id, n.record_id, p.person_id"
                " from row_record n join _person_of_record p using (record_id)"
                " order by n.source, n.source_record_id"
            ).to_arrow_table()
            con.register("_links", links)
            con.execute("create or replace table person_link as select * from _links")
            con.unregister("_links")
            save_rows(con, work.sql("select * from row_record").to_arrow_table())
        review = record_review_pairs(con, run_id, scored.pairs, identities, options.review_band)
        record_quality(con, run_id, scored, person_of_record, options.threshold, charts)
        build_candidate_families(con, run_id)
        if scored.mode == "full":
            save_model(con, run_id, fingerprint(options.floor), scored.frozen)
        save_scored(con, identities, scored.pairs, scored.mode == "incremental")
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
        n_rows,
        people,
        scored.new_identities if scored.mode == "incremental" else identities.num_rows,
        scored.model.source,
        review,
    )
    return LinkResult(
        run_id, people, scored.model.source, review, scored.mode, scored.new_identities
    )


def update_links(
    con: duckdb.DuckDBPyConnection,
    work: duckdb.DuckDBPyConnection,
    person_of_record: pd.DataFrame,
    rows: int,
) -> bool:
    """`person_link` and `link_row` brought up to date in place: the rows gone dropped, the
    new added, and a person ID changed only where the person's changed (a merge or a split).

    Rewriting a million rows a night cost more than everything else an incremental night
    does. The tables then hold the rows a rewrite would (in another order on disk: readers
    sort). False, with nothing kept of the attempt, when they do not hold one row per
    staged row (a table changed outside linkage): the caller rewrites both.
    """
    gone = work.sql("select * from gone_row").to_arrow_table()
    new = work.sql("select * from new_row").to_arrow_table()
    con.register("_gone_row", gone)
    con.register("_new_row", new)
    con.register("_person_of_record", person_of_record)
    for table in ("link_row", "person_link"):
        con.execute(
            f"delete from {table} t using _gone_row g"
            " where t.source = g.source and t.source_record_id = g.source_record_id"
        )
    con.execute("insert into link_row select * from _new_row")
    con.execute(
        "update person_link set person_id = p.person_id from _person_of_record p"
        " where person_link.record_id = p.record_id and person_link.person_id <> p.person_id"
    )
    con.execute(
        "insert into person_link select n.source, n.source_record_id, n.record_id, p.person_id"
        " from _new_row n join _person_of_record p using (record_id)"
        " order by n.source, n.source_record_id"
    )
    for name in ("_gone_row", "_new_row", "_person_of_record"):
        con.unregister(name)
    held = con.execute(
        "select (select count(*) from person_link), (select count(*) from link_row)"
    ).fetchall()[0]
    return held == (rows, rows)


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

"""Link person records from every source into one person ID with Splink.

Source rows repeat the same identity many times (a pupil in every term's census), so rows
are first reduced to distinct normalised identities; Splink scores and clusters those, and
every source row inherits the person ID of its identity.
"""

from __future__ import annotations

import logging
from pathlib import Path

import duckdb
import pandas as pd
from splink import DuckDBAPI, Linker

from data_contracts.feeds import PERSON_FEEDS
from data_contracts.warehouse import scalar
from matching.model import person_settings

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
final as (
    select
        *,
        case when length(postcode_compact) between 5 and 7
             then substr(postcode_compact, 1, length(postcode_compact) - 3) || ' '
                  || right(postcode_compact, 3) end as postcode,
        'R' || substr(md5(concat_ws('|', source, source_person_id, forename, surname,
                                    cast(dob as varchar), postcode_compact, upn, nino,
                                    nhs_number)), 1, 16) as record_id
    from cleaned
)
select * exclude (postcode_compact) from final
"""


def _normalise(con: duckdb.DuckDBPyConnection, source_table: str) -> None:
    con.execute(
        "create or replace temp table normalised_row as "
        + NORMALISE_SQL.format(source_table=source_table)
    )
    con.execute(
        "create or replace temp table identity as "
        "select distinct on (record_id) record_id, source, source_person_id, forename, surname,"
        " dob, postcode, upn, nino, nhs_number from normalised_row order by record_id"
    )


def cluster_identities(
    con: duckdb.DuckDBPyConnection, threshold: float, model_path: Path | None = None
) -> pd.DataFrame:
    """Score and cluster the `identity` table; returns record_id and person_id."""
    n_records = int(scalar(con, "select count(*) from identity") or 0)
    if n_records == 0:
        return pd.DataFrame({"record_id": [], "person_id": []}, dtype=str)
    # About three records per person across the sources (docs/matching.md).
    prior = min(0.01, 3.0 / max(n_records, 2))
    db = DuckDBAPI(con)
    sdf = db.register("identity", dataset_display_name="identity")
    # log_level=None: Splink's per-step timings stay out of the nightly log.
    linker = Linker(sdf, person_settings(prior), log_level=None)
    predictions = linker.inference.predict(threshold_match_probability=min(threshold, 0.5))
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=threshold
    )
    if model_path is not None:
        model_path.parent.mkdir(parents=True, exist_ok=True)
        linker.misc.save_model_to_json(str(model_path), overwrite=True)
    con.register("_clusters", clusters.as_pandas_dataframe())
    try:
        # A person ID names the cluster by its smallest record id, so it does not depend on
        # the order Splink happened to visit the graph in.
        return con.execute(
            """
            select record_id,
                   'P' || substr(md5(min(record_id) over (partition by cluster_id)), 1, 12)
                       as person_id
            from _clusters
            order by record_id
            """
        ).df()
    finally:
        con.unregister("_clusters")


def link_persons(records: pd.DataFrame, threshold: float = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """Link any table of SPEC person columns plus `source` and `source_record_id`.

    Returns the input with a `person_id` column, so an outside data set can be linked and
    scored with the same model the nightly run uses.
    """
    missing = [c for c in ("source", "source_record_id") if c not in records.columns]
    if missing:
        raise ValueError(f"link_persons: missing column(s) {', '.join(missing)}")
    frame = records.copy()
    for column in PERSON_COLUMNS:
        if column not in frame.columns:
            frame[column] = None
    con = duckdb.connect()
    con.register("input_records", frame)
    _normalise(con, "input_records")
    person_of_record = cluster_identities(con, threshold)
    con.register("_person_of_record", person_of_record)
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


def link_warehouse(
    con: duckdb.DuckDBPyConnection, threshold: float, model_path: Path | None = None
) -> int:
    """Rebuild `person_link` (source row -> person) from every staged feed."""
    rows = con.execute(person_rows_sql()).df()
    work = duckdb.connect()
    work.register("person_rows", rows)
    _normalise(work, "person_rows")
    person_of_record = cluster_identities(work, threshold, model_path)
    work.register("_person_of_record", person_of_record)
    links = work.execute(
        "select n.source, n.source_record_id, n.record_id, p.person_id from normalised_row n "
        "join _person_of_record p using (record_id) order by n.source, n.source_record_id"
    ).df()
    work.close()
    con.execute("create or replace table person_link as select * from links")
    count = int(scalar(con, "select count(distinct person_id) from person_link") or 0)
    log.info("linked %d source rows into %d people", len(links), count)
    return count

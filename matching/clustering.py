"""Scored pairs to people: edges at the plan's threshold, reviewers' decisions, components.

A pair flagged for caution (matching/caution.py: possible twins or siblings) is never an
edge on its score alone: it waits for a reviewer's `link`. The same clustering names
candidate families (matching/families.py), over people instead of identity records.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import duckdb
import pandas as pd
from splink import DuckDBAPI
from splink.clustering import cluster_pairwise_predictions_at_threshold

from data_contracts.warehouse import scalar

KEY = ["record_id_l", "record_id_r"]


@dataclass(frozen=True)
class Clusters:
    frame: pd.DataFrame  # record_id, cluster_id
    must: int
    cannot: int


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


def automatic_edges(pairs: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """Pairs that link without a reviewer: at or above `threshold` and not held for caution."""
    linked = pairs["match_probability"] >= threshold
    if "caution" in pairs.columns:
        linked &= pairs["caution"].isna()
    return pairs.loc[linked, KEY]


def cluster_with_overrides(
    con: duckdb.DuckDBPyConnection,
    pairs: pd.DataFrame,
    threshold: float,
    overrides: pd.DataFrame | None,
) -> Clusters:
    """Edges at or above `threshold`, reviewers' decisions applied, clustered over `identity`.

    `overrides` (record_id_l, record_id_r, decision 'link' | 'no link') adds must-link
    edges and removes cannot-link edges before clustering.
    """
    edges = automatic_edges(pairs, threshold)
    must, cannot = 0, 0
    if overrides is not None and len(overrides):
        decided = overrides.assign(
            record_id_l=overrides[KEY].min(axis=1), record_id_r=overrides[KEY].max(axis=1)
        )
        present = set(con.sql("select record_id from identity").df()["record_id"])
        decided = decided[
            decided["record_id_l"].isin(present) & decided["record_id_r"].isin(present)
        ]
        links = decided.loc[decided["decision"] == "link", KEY]
        apart = decided.loc[decided["decision"] == "no link", KEY]
        must, cannot = len(links), len(apart)
        edges = edges.merge(apart.assign(_apart=True), on=KEY, how="left")
        edges = edges[edges["_apart"].isna()][KEY]
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
    smallest = clusters.groupby("cluster_id")["record_id"].transform("min")
    ids = smallest.map(lambda r: "P" + hashlib.md5(r.encode()).hexdigest()[:12])
    return pd.DataFrame({"record_id": clusters["record_id"], "person_id": ids})

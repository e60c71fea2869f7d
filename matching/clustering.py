"""Scored pairs to people: edges at the plan's threshold, reviewers' decisions, components.

A pair flagged for caution (matching/caution.py: possible twins or siblings) is never an
edge on its score alone: it waits for a reviewer's `link`. The same clustering names
candidate families (matching/families.py), over people instead of identity records.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

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
    """Connected components of `edges` over every node in `node_table`.

    Returns (node, cluster_id) ordered by node; a component's `cluster_id` is its smallest
    node, the key the stable-ID layer names it by. Components are found with arrays in
    memory (`components`), not Splink's clustering: the same groups at a fraction of the
    cost (Splink's iterates SQL joins over every node), and a component's name no longer
    depends on which representative Splink picks.
    """
    nodes = (
        con.sql(f"select distinct {node_column} from {node_table} order by {node_column}")
        .df()[node_column]
        .astype(str)
        .to_numpy()
    )
    index = pd.Index(nodes)
    left = index.get_indexer(edges.iloc[:, 0].astype(str))
    right = index.get_indexer(edges.iloc[:, 1].astype(str))
    known = (left >= 0) & (right >= 0)
    smallest = components(len(nodes), left[known], right[known])
    return pd.DataFrame({node_column: nodes, "cluster_id": nodes[smallest]})


def components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """For nodes 0..n-1 joined by edges (left[i], right[i]): each node's smallest node.

    Every node points to a smaller node of its component (or itself); each round hooks the
    two roots of every edge that joins two trees to the smaller of them, then shortens every
    path to its root, until no edge joins two trees. The root left is then the component's
    smallest node (it is the root of every node in the component, the smallest included).
    """
    parent = np.arange(n)
    while True:
        root_l, root_r = parent[left], parent[right]
        apart = root_l != root_r
        if not apart.any():
            return parent
        root_l, root_r = root_l[apart], root_r[apart]
        lower = np.minimum(root_l, root_r)
        np.minimum.at(parent, root_l, lower)
        np.minimum.at(parent, root_r, lower)
        while True:
            grand = parent[parent]
            if np.array_equal(grand, parent):
                break
            parent = grand


def person_of_record_by_min(clusters: pd.DataFrame) -> pd.DataFrame:
    """Without a registry: a person ID from the cluster's smallest record id (order-free)."""
    smallest = clusters.groupby("cluster_id")["record_id"].transform("min")
    ids = smallest.map(lambda r: "P" + hashlib.md5(r.encode()).hexdigest()[:12])
    return pd.DataFrame({"record_id": clusters["record_id"], "person_id": ids})

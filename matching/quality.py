"""The match-quality page of one linkage run, and pairwise scores against a truth.

Figures are stored per run (`link_quality_weight`, `link_quality_cluster_size`,
`link_quality_parameter`, `link_quality_chart`) so the page can be rebuilt. The page is
one self-contained HTML file: today's figures as tables and inline SVG bars, and beside
them Splink's own charts of the model in force (match weights, m and u parameters,
unlinkables) with the Vega libraries Splink ships written into the page, so it opens
offline (no CDN). It carries no personal data: weights, counts, proportions and model
parameters only. Splink's charts that show record values (comparison viewer, cluster
studio) are never made.
"""

from __future__ import annotations

import html
import json
import math
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
from splink import Linker

# The Vega libraries bundled in Splink's wheel and its JSON escaping for script elements
# (what Splink's own `save(..., inline=True)` writes, once per chart; here once per page).
from splink.internals.html_utils import _ChartEncoder, json_for_html, load_chart_libraries

from data_contracts.file_writes import write_whole
from matching.scoring import Scored

CHARTS = {
    "match_weights": "Match weights of each comparison level (Splink)",
    "m_u_parameters": "m and u probabilities of each level (Splink)",
    "unlinkables": "Records that could not link even to themselves, by threshold (Splink)",
}


def pairwise_scores(linked: pd.DataFrame, truth: pd.DataFrame, key: list[str]) -> dict[str, float]:
    """Pairwise precision, recall and F1 of `person_id` against `true_id` over rows on `key`.

    Counted from group sizes (n choose 2), never by listing pairs, so a million rows is
    cheap.
    """
    both = linked[[*key, "person_id"]].merge(truth[[*key, "true_id"]], on=key, how="inner")

    def pairs(columns: list[str]) -> int:
        sizes = both.groupby(columns).size()
        return int((sizes * (sizes - 1) // 2).sum())

    predicted, actual = pairs(["person_id"]), pairs(["true_id"])
    true_positive = pairs(["person_id", "true_id"])
    precision = true_positive / predicted if predicted else 1.0
    recall = true_positive / actual if actual else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "rows": float(len(both)),
        "predicted_pairs": float(predicted),
        "true_pairs": float(actual),
        "true_positive_pairs": float(true_positive),
        "precision": precision,
        "recall": recall,
        "f1": f1,
    }


def model_parameters(linker_settings: dict) -> pd.DataFrame:
    """One row per comparison level: label, m, u and the match weight log2(m/u)."""
    rows = []
    for comparison in linker_settings["comparisons"]:
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            m, u = level.get("m_probability"), level.get("u_probability")
            weight = math.log2(m / u) if m and u else None
            rows.append(
                {
                    "comparison": comparison["output_column_name"],
                    "level": level.get("label_for_charts", level["sql_condition"]),
                    "m_probability": m,
                    "u_probability": u,
                    "match_weight": weight,
                    "tf_adjusted": bool(level.get("tf_adjustment_column")),
                }
            )
    return pd.DataFrame(rows)


def model_charts(linker: Linker) -> dict[str, str]:
    """Splink's charts of the model `linker` scores with, as Vega-Lite JSON specs.

    Unlinkables scores each identity against itself: the share of records that could not
    reach a threshold even with a perfect copy (too little recorded about them).
    """
    charts: dict[str, Any] = {
        "match_weights": linker.visualisations.match_weights_chart(),
        "m_u_parameters": linker.visualisations.m_u_parameters_chart(),
        "unlinkables": linker.evaluation.unlinkables_chart(),
    }
    return {
        name: json.dumps(chart.chart_dict, cls=_ChartEncoder, sort_keys=True)
        for name, chart in charts.items()
    }


def record_quality(
    con: duckdb.DuckDBPyConnection,
    run_id: int,
    scored: Scored,
    person_of_record: pd.DataFrame,
    threshold: float,
    charts: dict[str, str] | None = None,
) -> None:
    """Store the run's weight histogram, cluster sizes, model parameters and charts."""
    weights = scored.pairs["match_weight"].round(0).astype(int)
    histogram = weights.value_counts().sort_index().rename_axis("weight").reset_index(name="pairs")
    sizes = person_of_record.groupby("person_id").size().value_counts().sort_index()
    clusters = sizes.rename_axis("records").reset_index(name="people")
    settings = json.loads(json.dumps(scored.model.linker.misc.save_model_to_json()))
    parameters = model_parameters(settings)
    specs = pd.DataFrame(sorted((charts or {}).items()), columns=["chart", "spec"])
    for table, frame in (
        ("link_quality_weight", histogram),
        ("link_quality_cluster_size", clusters),
        ("link_quality_parameter", parameters),
        ("link_quality_chart", specs.astype(str)),
    ):
        frame = frame.assign(run_id=run_id)
        con.register("_quality", frame)
        con.execute(f"create table if not exists {table} as select * from _quality limit 0")
        con.execute(f"delete from {table} where run_id = $run", {"run": run_id})
        con.execute(f"insert into {table} by name select * from _quality")
        con.unregister("_quality")


def _bars(frame: pd.DataFrame, label: str, value: str, title: str) -> str:
    if frame.empty:
        return f"<p>{html.escape(title)}: none.</p>"
    top = max(float(frame[value].max()), 1.0)
    bar_h, width = 16, 420
    rows = []
    for i, (lab, val) in enumerate(zip(frame[label], frame[value], strict=True)):
        w = int(width * float(val) / top)
        y = i * (bar_h + 2)
        rows.append(
            f'<text x="0" y="{y + 12}" font-size="11">{html.escape(str(lab))}</text>'
            f'<rect x="60" y="{y}" width="{w}" height="{bar_h}" fill="#4a78a8"/>'
            f'<text x="{64 + w}" y="{y + 12}" font-size="11">{int(val)}</text>'
        )
    height = len(frame) * (bar_h + 2)
    return (
        f"<h2>{html.escape(title)}</h2>"
        f'<svg width="{width + 140}" height="{height}" role="img">{"".join(rows)}</svg>'
    )


def _table(frame: pd.DataFrame) -> str:
    return frame.to_html(index=False, float_format=lambda v: f"{v:.6g}", na_rep="")


def splink_charts_html(specs: pd.DataFrame) -> str:
    """Splink's charts, the Vega libraries written into the page once (no CDN)."""
    if specs.empty:
        return ""
    libraries = load_chart_libraries()
    parts = ["<h2>Splink's charts of the model in force</h2>"]
    # In Splink's order: vega, vega-lite, then vega-embed, which needs the other two.
    parts += [f"<script>{source}</script>" for source in libraries.values()]
    for name, spec in zip(specs["chart"], specs["spec"], strict=True):
        chart: dict[str, Any] = json.loads(spec)
        view = chart.setdefault("config", {}).setdefault("view", {})
        view.setdefault("continuousWidth", 300)  # as Splink's own chart_html sizes them
        view.setdefault("continuousHeight", 300)
        parts.append(
            f"<h3>{html.escape(CHARTS.get(name, name))}</h3><div id='chart-{name}'></div>"
            f"<script>vegaEmbed(document.getElementById('chart-{name}'),"
            f" {json_for_html(chart)}, {{}});</script>"
        )
    return "\n".join(parts)


def quality_html(
    con: duckdb.DuckDBPyConnection, run_id: int, scores: dict[str, float] | None = None
) -> str:
    run = con.execute("select * from link_run where run_id = $run", {"run": run_id}).df()
    weights = con.execute(
        "select weight, pairs from link_quality_weight where run_id = $run order by weight",
        {"run": run_id},
    ).df()
    clusters = con.execute(
        "select records, people from link_quality_cluster_size where run_id = $run "
        "order by records",
        {"run": run_id},
    ).df()
    parameters = con.execute(
        "select * exclude (run_id) from link_quality_parameter where run_id = $run",
        {"run": run_id},
    ).df()
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>Match quality, linkage run {run_id}</title>",
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:2px 6px;font-size:12px}</style></head><body>",
        f"<h1>Match quality, linkage run {run_id}</h1>",
        _table(run.drop(columns=["model_file"], errors="ignore")),
    ]
    if scores is not None:
        parts.append("<h2>Against the truth (pairwise, over source rows)</h2>")
        parts.append(_table(pd.DataFrame([scores])))
    parts.append(
        _bars(
            weights,
            "weight",
            "pairs",
            "Match weight of scored pairs (pairs above the review floor)",
        )
    )
    parts.append(_bars(clusters, "records", "people", "People by number of identity records"))
    parts.append("<h2>Model parameters</h2>")
    parts.append(_table(parameters))
    exists = con.execute(
        "select count(*) from information_schema.tables where table_name = 'link_quality_chart'"
    ).fetchone()
    if exists and exists[0]:
        specs = con.execute(
            "select chart, spec from link_quality_chart where run_id = $run order by chart",
            {"run": run_id},
        ).df()
        parts.append(splink_charts_html(specs))
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def write_quality_page(
    con: duckdb.DuckDBPyConnection,
    run_id: int,
    path: Path,
    scores: dict[str, float] | None = None,
) -> Path:
    return write_whole(path, quality_html(con, run_id, scores))


def sample_truth(con: duckdb.DuckDBPyConnection, source_rows_csv: Path) -> pd.DataFrame:
    """The sample council's truth (truth/source_rows.csv) keyed like `person_link`."""
    truth = pd.read_csv(source_rows_csv, dtype=str)
    con.register("_truth", truth)
    try:
        return con.execute(
            "select t.feed as source, b.batch_id || ':' || t.row_number as source_record_id,"
            " t.true_person_id as true_id"
            " from _truth t join load_batch b on b.feed = t.feed and b.file_name = t.file_name"
        ).df()
    finally:
        con.unregister("_truth")

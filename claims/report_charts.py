"""The claim report page's charts: Vega-Lite specs, and the Vega runtime to draw them inline.

Each chart is a Vega-Lite 5 spec (plain data: what to draw from which table of numbers),
drawn in the browser by Vega with the vega, vega-lite and vega-embed scripts inlined from
the copies the pinned Splink ships, so the page needs no network and no CDN. Altair is not
used to write the specs: Altair 6 emits Vega-Lite 6 while the offline runtime is Vega-Lite
5.2, and its own offline save needs another package (vl-convert-python).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

import pandas as pd

VEGA_SCRIPTS = ("vega@5.31.0", "vega-lite@5.2.0", "vega-embed@6.20.2")
"""The runtime, in load order, as Splink 5.0.0 ships it (splink/internals/files/external_js)."""
CHART_WIDTH = 560
BAND = 64
"""Pixels per month or quarter: a chart of two quarters is narrow, of twelve wide."""
BLUE, PALE, DARK, ORANGE, RED, GREY = "#4a78a8", "#b8cde3", "#1d3d5f", "#e08a2c", "#b22", "#999"
EMBED = """
document.querySelectorAll("div.chart").forEach(function (element) {
  var spec = JSON.parse(document.getElementById(element.dataset.spec).textContent);
  vegaEmbed(element, spec, {renderer: "svg", actions: false, mode: "vega-lite"})
    .catch(function (error) {
      element.textContent = "This chart could not be drawn: " + error;
      console.error(error);
    });
});
"""


@cache
def vega_scripts() -> str:
    folder = resources.files("splink").joinpath("internals", "files", "external_js")
    return "\n".join(
        f"<script>{folder.joinpath(name).read_text(encoding='utf-8')}</script>"
        for name in VEGA_SCRIPTS
    )


def _records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """JSON-ready rows: missing values as null, numpy numbers as Python numbers."""
    return json.loads(frame.to_json(orient="records"))


def funnel_spec(funnel: pd.DataFrame) -> dict[str, object]:
    encoding = {
        "y": {"field": "step", "type": "nominal", "sort": None, "title": None},
        "x": {"field": "cases", "type": "quantitative", "title": "cases"},
        "tooltip": [{"field": "step"}, {"field": "cases", "type": "quantitative"}],
    }
    return {
        "width": CHART_WIDTH,
        "height": {"step": 24},
        "data": {"values": _records(funnel[["step", "cases"]])},
        "encoding": encoding,
        "layer": [
            {"mark": {"type": "bar", "color": BLUE}},
            {
                "mark": {"type": "text", "align": "left", "dx": 4},
                "encoding": {"text": {"field": "cases", "type": "quantitative"}},
            },
        ],
        "config": {"axisY": {"labelLimit": 320}},
    }


def headline_spec(headlines: pd.DataFrame) -> dict[str, object]:
    measures = ["cases with a need", "cases with every outcome met", "families claimed"]
    long = headlines.melt(id_vars="headline", value_vars=measures, var_name="measure")
    return {
        "width": CHART_WIDTH,
        "height": {"step": 22},
        "data": {"values": _records(long)},
        "mark": {"type": "bar"},
        "encoding": {
            "y": {"field": "headline", "type": "nominal", "sort": None, "title": None},
            "x": {"field": "value", "type": "quantitative", "stack": None, "title": "count"},
            "color": {
                "field": "measure",
                "type": "nominal",
                "scale": {"domain": measures, "range": [PALE, BLUE, DARK]},
                "legend": {"orient": "bottom", "title": None},
            },
            "tooltip": [{"field": "headline"}, {"field": "measure"}, {"field": "value"}],
        },
        "config": {"axisY": {"labelLimit": 320}},
    }


def near_miss_spec(misses: pd.DataFrame) -> dict[str, object]:
    return {
        "width": {"step": BAND},
        "height": 220,
        "data": {"values": _records(misses)},
        "mark": {"type": "bar"},
        "encoding": {
            "x": {"field": "month", "type": "ordinal", "title": "month the case could pass"},
            "y": {"field": "cases", "type": "quantitative", "aggregate": "sum", "title": "cases"},
            "color": {
                "field": "waiting on",
                "type": "nominal",
                "scale": {"range": [BLUE, ORANGE, DARK]},
                "legend": {"orient": "bottom"},
            },
            "tooltip": [
                {"field": "month"},
                {"field": "waiting on"},
                {"field": "cases", "type": "quantitative"},
                {"field": "claim quarter"},
            ],
        },
    }


def quarter_spec(quarters: pd.DataFrame) -> dict[str, object]:
    bars = _records(
        quarters[["quarter", "source", "families"]].rename(columns={"source": "series"})
    )
    lines = [
        {"quarter": row["quarter"], "year": row["year"], "series": series, "families": row[series]}
        for row in quarters.drop_duplicates("quarter").to_dict("records")
        for series in ("claimed so far in the year", "yearly allocation")
        if pd.notna(row[series])
    ]
    domain = [
        "submitted",
        "historic (imported)",
        "this claim (not submitted)",
        "claimed so far in the year",
        "yearly allocation",
    ]
    color = {
        "field": "series",
        "type": "nominal",
        "scale": {"domain": domain, "range": [BLUE, GREY, ORANGE, DARK, RED]},
        "legend": {"orient": "bottom", "title": None, "columns": 3},
    }
    x = {"field": "quarter", "type": "ordinal", "title": "financial quarter", "sort": "ascending"}
    y = {"field": "families", "type": "quantitative", "title": "families"}
    tooltip = [{"field": "quarter"}, {"field": "series"}, {"field": "families"}]
    return {
        "width": {"step": BAND},
        "height": 240,
        "layer": [
            {
                "data": {"values": bars},
                "mark": {"type": "bar"},
                "encoding": {"x": x, "y": y, "color": color, "tooltip": tooltip},
            },
            {
                "data": {"values": _records(pd.DataFrame(lines))},
                "mark": {"type": "line", "point": True},
                "encoding": {
                    "x": x,
                    "y": y,
                    "color": color,
                    "detail": {"field": "year", "type": "nominal"},
                    "strokeDash": {
                        "field": "series",
                        "type": "nominal",
                        "legend": None,
                        "scale": {
                            "domain": ["claimed so far in the year", "yearly allocation"],
                            "range": [[1, 0], [6, 4]],
                        },
                    },
                    "tooltip": tooltip,
                },
            },
        ],
    }


def standing_spec(shares: pd.Series, council: float | None) -> dict[str, object]:
    """How many councils of 2022-23 reached each share of their maximum (scaled to the
    claim's point in the year, claims/annex_a.py), and a red rule at this council's."""
    x = {
        "field": "share",
        "type": "quantitative",
        "bin": {"step": 0.05, "extent": [0, 1.05]},
        "title": "share of the year's maximum funded outcomes",
        "axis": {"format": ".0%"},
    }
    layers: list[dict[str, object]] = [
        {
            "data": {"values": _records(shares.rename("share").to_frame())},
            "mark": {"type": "bar", "color": PALE},
            "encoding": {
                "x": x,
                "y": {"aggregate": "count", "type": "quantitative", "title": "councils"},
            },
        }
    ]
    if council is not None:
        layers.append(
            {
                "data": {"values": [{"share": council, "label": "this council"}]},
                "mark": {"type": "rule", "color": RED, "strokeWidth": 3},
                "encoding": {"x": {"field": "share", "type": "quantitative"}},
            }
        )
    return {"width": CHART_WIDTH, "height": 200, "layer": layers}


def chart(name: str, spec: dict[str, object]) -> str:
    data = json.dumps(spec, separators=(",", ":")).replace("</", "<\\/")
    return (
        f'<div class="chart" id="chart-{name}" data-spec="spec-{name}"></div>'
        f'<script type="application/json" id="spec-{name}">{data}</script>'
    )

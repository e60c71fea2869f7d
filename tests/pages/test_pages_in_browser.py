"""Every offline page of the pipeline, opened in headless Chromium with the network off.

Each page must load with no console error, request nothing outside the file, and draw
every chart (an SVG with marks in each chart container). A screenshot of each is kept as
a test artifact (under pytest's temporary folder, or `$SFP_TEST_ARTIFACTS` when set).
The tests skip only when Chromium is not installed: `make test` installs it from Debian's
packages when it can (the Makefile's `chromium` step).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest
import yaml

from claims.assurance import assurance_packs
from claims.submission import run_claim
from data_contracts.ingest import BatchReport
from data_contracts.report_page import write_validation_page
from data_contracts.warehouse import connect
from indicators.plan import load_plan
from matching.quality import write_quality_page
from tests.conftest import LoadedSample
from tests.pages.browser import CHROMIUM, Chromium, PageLoad

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"Chromium is not installed at {CHROMIUM}; `make test` installs it with "
    "`apt-get install chromium` when it runs as root on Debian",
)
RUN_AT = datetime(2026, 1, 5, 2, 30)
PNG = b"\x89PNG\r\n\x1a\n"
CLOSED_FEEDS = """(function () {
  var feeds = Array.from(document.querySelectorAll("details.feed"));
  var before = document.documentElement.scrollHeight;
  var firstTable = document.querySelector("table");
  var summaryFirst = !!firstTable && !!feeds.length &&
    !!(firstTable.compareDocumentPosition(feeds[0]) & Node.DOCUMENT_POSITION_FOLLOWING);
  var closed = feeds.every(function (d) { return !d.open; });
  if (feeds.length) { feeds[0].open = true; }
  var opened = document.documentElement.scrollHeight;
  if (feeds.length) { feeds[0].open = false; }
  return {feeds: feeds.length, closed: closed, summaryFirst: summaryFirst,
          collapsedHeight: before, openedHeight: opened,
          summaryRows: document.querySelectorAll("table")[0].rows.length - 1};
})()"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Chromium]:
    with Chromium() as chromium:
        yield chromium


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    chosen = os.environ.get("SFP_TEST_ARTIFACTS")
    folder = Path(chosen) if chosen else tmp_path_factory.mktemp("page-artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _checked(load: PageLoad, name: str, artifacts: Path, charts: int) -> PageLoad:
    """The assertions every page shares; the screenshot is kept before they run."""
    assert load.screenshot.startswith(PNG)
    (artifacts / f"{name}.png").write_bytes(load.screenshot)
    assert load.errors == [], load.errors
    assert load.requests == [], load.requests
    assert len(load.charts) == charts, load.charts
    for chart in load.charts:
        assert chart["svg"] and chart["marks"] > 0, chart
    return load


@pytest.fixture(scope="module")
def claim_page(loaded_sample: LoadedSample, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A claim as of the sample's date after an earlier quarter was submitted, under a plan
    with a rate and an allocation: every chart and every series on the page has data."""
    folder = tmp_path_factory.mktemp("claim-page")
    warehouse = folder / "warehouse.duckdb"
    shutil.copyfile(loaded_sample.warehouse, warehouse)
    plan_file = folder / "plan.yaml"
    settings = {"extends": "national", "rate_per_family": 4000, "allocation": {"2025-26": 60}}
    plan_file.write_text(yaml.safe_dump(settings), encoding="utf-8")
    plan = load_plan(plan_file)
    with connect(warehouse) as con:
        run_claim(con, plan, date(2025, 6, 30), folder / "claim-2025-06-30.xlsx", submit=True)
        result = run_claim(con, plan, loaded_sample.as_of, folder / "claim.xlsx")
    assert result.report_page == folder / "claim-report.html"
    return result.report_page


STANDING = """(function () {
  var section = document.getElementById("standing");
  var rows = Array.from(section.querySelectorAll("tr")).slice(1).map(function (tr) {
    return Array.from(tr.cells).map(function (td) { return td.textContent; });
  });
  var svg = section.querySelector("svg");
  var marks = function (selector) { return svg ? svg.querySelectorAll(selector).length : 0; };
  var rule = marks(".mark-rule.role-mark line, .mark-rule.role-mark path");
  var bars = marks(".mark-rect.role-mark path");
  return {rows: rows, rule: rule, bars: bars, text: section.textContent};
})()"""


def test_claim_report_page_draws_every_chart_offline(
    browser: Chromium, claim_page: Path, artifacts: Path
) -> None:
    load = _checked(browser.load(claim_page, probe=STANDING), "claim-report", artifacts, charts=5)
    assert [chart["id"] for chart in load.charts] == [
        "chart-gates",
        "chart-headlines",
        "chart-near-misses",
        "chart-standing",
        "chart-quarters",
    ]
    # The council against Annex A: its share of the 60 allowed (families claimed in the
    # year: the Q1 submission and this claim), 140 councils of 2022-23, a rule for it.
    figures = dict(load.probe["rows"])
    claimed = int(figures["families claimed in 2025-26 (submitted periods and this claim)"])
    assert figures["yearly allocation 2025-26 (maximum funded outcomes)"] == "60"
    assert figures["share of the 2025-26 maximum claimed"] == f"{claimed / 60:.1%}"
    assert figures["councils of 2022-23 with a lower share at this point of the year"].endswith(
        " of 140"
    )
    assert figures["verdict"]
    assert load.probe["rule"] == 1 and load.probe["bars"] >= 5
    assert "004_78e87d14289f5601.txt" in load.probe["text"]
    # A bar per funnel step (cases decided, 7 gates, claimed) and two quarters' bars.
    funnel, _, _, _, quarters = load.charts
    assert funnel["marks"] >= 9
    assert "2025-26 Q1" in quarters["text"] and "2025-26 Q2" in quarters["text"]


@pytest.fixture(scope="module")
def nightly_reports(loaded_sample: LoadedSample) -> list[BatchReport]:
    """The reports the sample council's nightly made (kept with it: tests/councils.py)."""
    return loaded_sample.batch_reports()


def test_validation_page_of_a_nightly_loads_offline_with_every_feed_collapsed(
    browser: Chromium,
    nightly_reports: list[BatchReport],
    artifacts: Path,
    tmp_path: Path,
) -> None:
    page = write_validation_page(nightly_reports, tmp_path, RUN_AT)
    load = _checked(browser.load(page, CLOSED_FEEDS), "validation", artifacts, charts=0)
    feeds = {report.feed for report in nightly_reports}
    assert load.probe["feeds"] == load.probe["summaryRows"] == len(feeds)
    assert load.probe["closed"] and load.probe["summaryFirst"]


def test_validation_page_at_council_scale_stays_one_screen_until_a_feed_is_opened(
    browser: Chromium, nightly_reports: list[BatchReport], artifacts: Path, tmp_path: Path
) -> None:
    """A first night at 5,000+ households: hundreds of batches (a month of every feed over
    three years), each with its checks. Collapsed, the page is its summary."""
    loaded = [r for r in nightly_reports if r.batch_id and not r.error]
    council = [
        replace(
            r, file_name=f"{copy:02d}-{Path(r.file_name).name}", batch_id=f"{r.batch_id}-{copy}"
        )
        for copy in range(max(1, -(-500 // len(loaded))))
        for r in loaded
    ]
    assert len(council) >= 500
    page = write_validation_page(council, tmp_path, RUN_AT)
    load = _checked(browser.load(page, CLOSED_FEEDS), "validation-council", artifacts, charts=0)
    assert load.probe["closed"] and load.probe["summaryFirst"]
    assert load.probe["collapsedHeight"] < 2000, load.probe
    assert load.probe["openedHeight"] > load.probe["collapsedHeight"] + 500, load.probe


def test_match_quality_page_loads_offline(
    browser: Chromium, loaded_sample: LoadedSample, artifacts: Path, tmp_path: Path
) -> None:
    with duckdb.connect(str(loaded_sample.warehouse), read_only=True) as con:
        (run_id,) = con.execute("select max(run_id) from link_run").fetchone() or (None,)
        page = write_quality_page(con, int(run_id), tmp_path / "match-quality.html")
    load = _checked(browser.load(page, "document.querySelectorAll('svg rect').length"),
                    "match-quality", artifacts, charts=0)  # fmt: skip
    assert load.probe > 0  # its inline SVG bars


@pytest.fixture(scope="module")
def assurance_folder(loaded_sample: LoadedSample, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample's period submitted and three families' assurance packs written."""
    folder = tmp_path_factory.mktemp("assurance")
    warehouse = folder / "warehouse.duckdb"
    shutil.copyfile(loaded_sample.warehouse, warehouse)
    with connect(warehouse) as con:
        run_claim(con, load_plan(), loaded_sample.as_of, folder / "claim.xlsx", submit=True)
    return assurance_packs(warehouse, loaded_sample.as_of, folder / "packs", 3, seed=2).folder


PACK = """(function () {
  var count = function (id) {
    var table = document.querySelector("#" + id + " table");
    return table ? table.rows.length - 1 : -1;
  };
  var links = Array.from(document.querySelectorAll("#sample a")).map(function (a) {
    return a.getAttribute("href");
  });
  return {links: links, members: count("members"), needs: count("needs"),
          gates: count("gates"), sources: count("sources"), scripts: document.scripts.length};
})()"""


def test_assurance_index_and_packs_load_offline_and_show_every_section(
    browser: Chromium, assurance_folder: Path, artifacts: Path
) -> None:
    index = _checked(browser.load(assurance_folder / "index.html", probe=PACK), "assurance-index",
                     artifacts, charts=0)  # fmt: skip
    links = index.probe["links"]
    assert len(links) == 3 and sorted(links) == sorted(
        p.name for p in assurance_folder.glob("family-*.html")
    )
    for link in links:
        load = _checked(browser.load(assurance_folder / link, probe=PACK), link, artifacts, 0)
        shown = load.probe
        assert shown["members"] >= 2 and shown["needs"] >= 3 and shown["gates"] == 7
        assert shown["sources"] >= shown["members"] + shown["needs"]
        assert shown["scripts"] == 1  # the source rows as JSON data, never run

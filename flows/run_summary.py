"""A run's figures as Prefect shows them: a markdown artifact on the run's page.

Plain functions build the text (tests read it without Prefect); `publish` hands it to
Prefect's artifact store, where the UI shows it beside the run's logs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from data_contracts.batch_load import BatchReport
from data_contracts.source_ingest import StaleBatchReport
from indicators.pipeline import NightlyResult


def feed_totals(batches: Sequence[BatchReport]) -> list[tuple[str, int, int, int, int, int]]:
    """Per feed: files loaded, rows in, staged, quarantined, files refused (inbox order)."""
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for report in batches:
        row = totals[report.feed or "(inbox)"]
        if report.status == "loaded":
            row[0] += 1
            row[1] += report.rows_in
            row[2] += report.rows_staged
            row[3] += report.rows_quarantined
        if report.error:
            row[4] += 1
    return [(feed, *values) for feed, values in totals.items()]  # type: ignore[misc]


def feed_line(feed: str, reports: Sequence[BatchReport]) -> str:
    """One feed's night in one line: what Prefect's run log keeps instead of a line per
    file (issue 26); the terminal shows it after the feed's file lines."""
    totals = [
        sum(column) for column in zip(*[row[1:] for row in feed_totals(reports)], strict=True)
    ]
    files, rows_in, staged, quarantined, refused = totals or [0, 0, 0, 0, 0]
    already = sum(report.status == "already loaded" for report in reports)
    return (
        f"{feed}: loaded: {files} of {len(reports)} files, {rows_in} rows in = {staged} staged"
        f" + {quarantined} quarantined; {refused} refused"
        + (f"; {already} already loaded" if already else "")
    )


def _link(label: str, path: Path | None) -> str:
    if path is None:
        return f"{label}: none"
    return f"[{label}]({path.resolve().as_uri()}) (`{path}`)"


def nightly_markdown(result: NightlyResult, warehouse: Path) -> str:
    """The night at a glance: files and rows per feed, people, indicators, where to look."""
    lines = [
        "# Nightly run",
        "",
        f"Warehouse `{warehouse}`: {result.refused} files refused, people linked "
        f"{result.people} ({result.link_mode}), indicators derived ({result.derive_mode}).",
        "",
        "| feed | files loaded | rows in | staged | quarantined | files refused |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    lines += [
        f"| {feed} | {files} | {rows_in} | {staged} | {quarantined} | {refused} |"
        for feed, files, rows_in, staged, quarantined, refused in feed_totals(result.batches)
    ]
    lines += [
        "",
        f"- {_link('validation page', result.validation_page)}",
        f"- {_link('match-quality page', result.quality_page)}",
        f"- {_link('clerical review workbook', result.review_workbook)}",
    ]
    refused = [report.line() for report in result.batches if report.error]
    if refused:
        lines += ["", "## Refused files", ""] + [f"- {line}" for line in refused]
    stale = [r.line() for r in result.batches if isinstance(r, StaleBatchReport)]
    if stale:
        lines += ["", "## Loaded under an earlier source definition", ""]
        lines += [f"- {line}" for line in stale]
    return "\n".join(lines) + "\n"


def publish(key: str, markdown: str, description: str) -> None:
    """Attach the summary to the current Prefect run (keys: lower case, digits, dashes)."""
    from prefect.artifacts import create_markdown_artifact

    create_markdown_artifact(markdown=markdown, key=key, description=description)

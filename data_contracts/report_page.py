"""The nightly validation page: each suite's results, readable offline, with no values.

Great Expectations' own Data Docs load their CSS and scripts from public CDNs and, with
the COMPLETE result format, print the failing values, which may be names, dates of birth
or identifiers (../shared/KNOWN_GROUND.md). This page is one self-contained HTML file
with its style inline and no links out; it shows for each batch its reconciliation and,
for each check, how many rows failed and their row numbers, never what the rows held.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape
from pathlib import Path

from data_contracts.batch_load import BatchReport
from data_contracts.feeds import FEEDS
from data_contracts.file_writes import write_whole

ROWS_SHOWN = 50
"""Row numbers listed per check; the rest are counted (the quarantine table has them all)."""

STYLE = """
body { font-family: sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #bbb; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #eee; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.fail { color: #a00; font-weight: bold; }
.pass { color: #060; }
.refused { color: #a00; }
.rows { font-family: monospace; max-width: 40em; }
details { margin: 0.3em 0; }
details.feed { border: 1px solid #ccc; padding: 0.3em 0.8em; }
details.feed > summary { font-size: 1.15em; font-weight: bold; cursor: pointer; }
details.batch { margin-left: 1em; }
details.batch > summary { cursor: pointer; }
"""


def validation_page_name(run_at: datetime) -> str:
    return f"validation-{run_at.strftime('%Y%m%dT%H%M%SZ')}.html"


def write_validation_page(reports: Sequence[BatchReport], folder: Path, run_at: datetime) -> Path:
    """Write this run's page into `folder` and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / validation_page_name(run_at)
    return write_whole(path, render_validation_page(reports, run_at))


def render_validation_page(reports: Sequence[BatchReport], run_at: datetime) -> str:
    """A summary table per feed first, then one collapsed section per feed.

    A first night at 5,000 households loads hundreds of files with dozens of checks each:
    the summary says at once which feed needs a look, and its section (a `<details>`,
    which needs no script) opens on the batches and, per batch, the checks.
    """
    loaded = [r for r in reports if r.status == "loaded"]
    refused = [r for r in reports if r.error]
    skipped = [r for r in reports if r.status == "already loaded"]
    listed = [r for r in reports if r.status in ("skipped", "still refused")]
    feeds = sorted(
        {r.feed for r in reports}, key=lambda f: (list(FEEDS).index(f) if f in FEEDS else 99, f)
    )
    when = escape(run_at.isoformat(timespec="seconds"))
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Feed validation {when}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>Feed validation, nightly run of {when} UTC</h1>",
        "<p>Counts and row numbers only: the failing values are in the warehouse "
        "(<code>raw_&lt;feed&gt;</code> by batch and row number), not on this page.</p>",
        _totals(loaded, refused, skipped),
        _feed_table(feeds, reports),
    ]
    if refused:
        parts.append("<h2>Refused files</h2><ul>")
        parts += [f'<li class="refused">{escape(r.error)}</li>' for r in refused]
        parts.append("</ul>")
    if listed:
        parts.append("<h2>Skipped, or refused before and unchanged</h2><ul>")
        parts += [f"<li>{escape(r.line())}</li>" for r in listed]
        parts.append("</ul>")
    parts.append("<h2>Feeds</h2>")
    parts += [_feed_section(feed, [r for r in loaded if r.feed == feed]) for feed in feeds]
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _totals(
    loaded: Sequence[BatchReport], refused: Sequence[BatchReport], skipped: Sequence[BatchReport]
) -> str:
    return (
        f"<p>{len(loaded)} batches loaded: {sum(r.rows_in for r in loaded)} rows in = "
        f"{sum(r.rows_staged for r in loaded)} staged + "
        f"{sum(r.rows_quarantined for r in loaded)} quarantined; {len(refused)} files refused; "
        f"{len(skipped)} files already loaded.</p>"
    )


def _number(value: int, bad: bool = False) -> str:
    return f'<td class="n{" fail" if bad else ""}">{value:,}</td>'


def _failed_checks(report: BatchReport) -> int:
    return sum(not check.success for check in report.checks)


def _feed_table(feeds: Sequence[str], reports: Sequence[BatchReport]) -> str:
    rows = [
        "<h2>Summary per feed</h2><table>",
        "<tr><th>feed</th><th>files loaded</th><th>rows in</th><th>staged</th>"
        "<th>quarantined</th><th>balances</th><th>failed checks</th><th>files refused</th>"
        "<th>already loaded</th></tr>",
    ]
    for feed in feeds:
        mine = [r for r in reports if r.feed == feed]
        loaded = [r for r in mine if r.status == "loaded"]
        rows_in = sum(r.rows_in for r in loaded)
        staged = sum(r.rows_staged for r in loaded)
        quarantined = sum(r.rows_quarantined for r in loaded)
        balances = all(r.rows_in == r.rows_staged + r.rows_quarantined for r in loaded)
        failed = sum(_failed_checks(r) for r in loaded)
        refused = sum(bool(r.error) for r in mine)
        rows.append(
            f'<tr><td><a href="#feed-{escape(feed)}">{escape(feed)}</a></td>'
            + _number(len(loaded))
            + _number(rows_in)
            + _number(staged)
            + _number(quarantined, quarantined > 0)
            + f'<td class="{"pass" if balances else "fail"}">{"yes" if balances else "NO"}</td>'
            + _number(failed, failed > 0)
            + _number(refused, refused > 0)
            + _number(sum(r.status == "already loaded" for r in mine))
            + "</tr>"
        )
    rows.append("</table>")
    return "\n".join(rows)


def _feed_section(feed: str, loaded: Sequence[BatchReport]) -> str:
    failed = sum(_failed_checks(r) for r in loaded)
    quarantined = sum(r.rows_quarantined for r in loaded)
    headline = (
        f"{escape(feed)}: {len(loaded)} batches, {sum(r.rows_in for r in loaded):,} rows in, "
        f"{quarantined:,} quarantined, {failed} failed checks"
    )
    flag = ' class="fail"' if failed or quarantined else ""
    lines = [
        f'<details class="feed" id="feed-{escape(feed)}"><summary><span{flag}>{headline}'
        "</span></summary>",
        "<h3>Reconciliation per batch</h3>",
        "<table><tr><th>file</th><th>batch</th><th>suite</th><th>rows in</th><th>staged</th>"
        "<th>quarantined</th><th>balances</th><th>failed checks</th><th>supersedes</th></tr>",
    ]
    for r in loaded:
        balances = r.rows_in == r.rows_staged + r.rows_quarantined
        lines.append(
            f"<tr><td>{escape(Path(r.file_name).name)}</td><td>{escape(str(r.batch_id))}</td>"
            f"<td>{escape(r.suite)}</td>"
            + _number(r.rows_in)
            + _number(r.rows_staged)
            + _number(r.rows_quarantined, r.rows_quarantined > 0)
            + f'<td class="{"pass" if balances else "fail"}">{"yes" if balances else "NO"}</td>'
            + _number(_failed_checks(r), _failed_checks(r) > 0)
            + f"<td>{escape(', '.join(r.supersedes))}</td></tr>"
        )
    lines.append("</table>")
    lines += [_batch_section(report) for report in loaded]
    lines.append("</details>")
    return "\n".join(lines)


def _batch_section(report: BatchReport) -> str:
    failed = _failed_checks(report)
    flag = ' class="fail"' if failed else ""
    lines = [
        f'<details class="batch"><summary><span{flag}>{escape(Path(report.file_name).name)}: '
        f"{len(report.checks)} checks, {failed} failed</span></summary>",
        f"<p>Suite <code>{escape(report.suite)}</code>, batch <code>"
        f"{escape(str(report.batch_id))}</code>."
        f" Read as {escape(report.note)}.</p>",
        "<table><tr><th>#</th><th>by</th><th>check</th><th>column</th><th>result</th>"
        "<th>rows flagged</th><th>rows quarantined for it</th><th>reason</th></tr>",
    ]
    for number, check in enumerate(report.checks, start=1):
        shown = ", ".join(str(n) for n in check.row_numbers[:ROWS_SHOWN])
        more = len(check.row_numbers) - ROWS_SHOWN
        if more > 0:
            shown += f" and {more} more"
        result = '<span class="pass">pass</span>' if check.success else '<span class="fail">fail'
        result += "" if check.success else "</span>"
        lines.append(
            f"<tr><td>{number}</td><td>{escape(check.source)}</td><td>{escape(check.label)}</td>"
            f"<td>{escape(check.column)}</td><td>{result}</td><td>{check.unexpected_count}</td>"
            f'<td class="rows">{escape(shown)}</td><td>{escape(check.reason)}</td></tr>'
        )
    lines.append("</table></details>")
    return "\n".join(lines)

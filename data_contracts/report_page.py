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

ROWS_SHOWN = 50
"""Row numbers listed per check; the rest are counted (the quarantine table has them all)."""

STYLE = """
body { font-family: sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #bbb; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #eee; }
.fail { color: #a00; font-weight: bold; }
.pass { color: #060; }
.refused { color: #a00; }
.rows { font-family: monospace; max-width: 40em; }
"""


def validation_page_name(run_at: datetime) -> str:
    return f"validation-{run_at.strftime('%Y%m%dT%H%M%SZ')}.html"


def write_validation_page(reports: Sequence[BatchReport], folder: Path, run_at: datetime) -> Path:
    """Write this run's page into `folder` and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / validation_page_name(run_at)
    path.write_text(render_validation_page(reports, run_at), encoding="utf-8")
    return path


def render_validation_page(reports: Sequence[BatchReport], run_at: datetime) -> str:
    loaded = [r for r in reports if r.status == "loaded"]
    refused = [r for r in reports if r.error]
    skipped = [r for r in reports if r.status == "already loaded"]
    listed = [r for r in reports if r.status in ("skipped", "still refused")]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Feed validation {escape(run_at.isoformat(timespec='seconds'))}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>Feed validation, nightly run of {escape(run_at.isoformat(timespec='seconds'))}"
        " UTC</h1>",
        "<p>Counts and row numbers only: the failing values are in the warehouse "
        "(<code>raw_&lt;feed&gt;</code> by batch and row number), not on this page.</p>",
        _summary_table(loaded, refused, skipped),
    ]
    if refused:
        parts.append("<h2>Refused files</h2><ul>")
        parts += [f'<li class="refused">{escape(r.error)}</li>' for r in refused]
        parts.append("</ul>")
    if listed:
        parts.append("<h2>Skipped, or refused before and unchanged</h2><ul>")
        parts += [f"<li>{escape(r.line())}</li>" for r in listed]
        parts.append("</ul>")
    for report in loaded:
        parts.append(_batch_section(report))
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _summary_table(
    loaded: Sequence[BatchReport], refused: Sequence[BatchReport], skipped: Sequence[BatchReport]
) -> str:
    rows = [
        "<h2>Reconciliation per batch</h2><table>",
        "<tr><th>feed</th><th>file</th><th>batch</th><th>suite</th><th>rows in</th>"
        "<th>staged</th><th>quarantined</th><th>balances</th><th>supersedes</th></tr>",
    ]
    for r in loaded:
        balances = r.rows_in == r.rows_staged + r.rows_quarantined
        rows.append(
            "<tr>"
            + "".join(
                f"<td>{escape(str(cell))}</td>"
                for cell in (
                    r.feed,
                    Path(r.file_name).name,
                    r.batch_id,
                    r.suite,
                    r.rows_in,
                    r.rows_staged,
                    r.rows_quarantined,
                )
            )
            + f'<td class="{"pass" if balances else "fail"}">{"yes" if balances else "NO"}</td>'
            + f"<td>{escape(', '.join(r.supersedes))}</td></tr>"
        )
    rows.append("</table>")
    rows.append(
        f"<p>{len(loaded)} batches loaded: {sum(r.rows_in for r in loaded)} rows in = "
        f"{sum(r.rows_staged for r in loaded)} staged + "
        f"{sum(r.rows_quarantined for r in loaded)} quarantined; {len(refused)} files refused; "
        f"{len(skipped)} files already loaded.</p>"
    )
    return "\n".join(rows)


def _batch_section(report: BatchReport) -> str:
    failed = sum(not c.success for c in report.checks)
    lines = [
        f"<h2>{escape(report.feed)}: {escape(Path(report.file_name).name)}</h2>",
        f"<p>Suite <code>{escape(report.suite)}</code>, batch <code>"
        f"{escape(str(report.batch_id))}</code>: {len(report.checks)} checks, {failed} failed."
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
    lines.append("</table>")
    return "\n".join(lines)

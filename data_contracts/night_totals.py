"""What a night's files add up to, in the words the terminal, the log and tests read.

Rows in = staged + quarantined per file and in total; every entry skipped, refused, still
refused or loaded under an earlier source definition is counted, never dropped silently.
"""

from __future__ import annotations

from data_contracts.batch_load import BatchReport
from data_contracts.source_ingest import StaleBatchReport


def file_lines(batches: list[BatchReport], brief: bool = False) -> list[str]:
    """One line per file; `brief` keeps only files that need a look (refused, skipped,
    with quarantined rows, loaded under an earlier definition)."""
    lines = []
    for report in batches:
        quiet = report.status in ("loaded", "already loaded") and not report.rows_quarantined
        if not brief or not quiet or isinstance(report, StaleBatchReport):
            lines.append(report.line())
    return lines


def totals_line(batches: list[BatchReport]) -> str:
    loaded = [b for b in batches if b.status == "loaded"]
    already = sum(b.status == "already loaded" for b in batches)
    skipped = sum(b.status == "skipped" for b in batches)
    still = sum(b.status == "still refused" for b in batches)
    stale = sum(isinstance(b, StaleBatchReport) for b in batches)
    superseded = sum(len(b.supersedes) for b in loaded)
    return (
        f"{len(loaded)} files loaded: {sum(b.rows_in for b in loaded)} rows in = "
        f"{sum(b.rows_staged for b in loaded)} staged + "
        f"{sum(b.rows_quarantined for b in loaded)} quarantined; "
        f"{sum(bool(b.error) for b in batches)} refused"
        + (f"; {still} still refused (unchanged)" if still else "")
        + (f"; {skipped} skipped" if skipped else "")
        + (f"; {already} already loaded" if already else "")
        + (f"; {superseded} earlier batches superseded" if superseded else "")
        + (
            f"; {stale} loaded under an earlier source definition (`sfp nightly --rebuild`"
            " reloads them)"
            if stale
            else ""
        )
    )

"""Check batches against their feed's contract: parse in pandas, then one GX suite run.

Parsing text into dates, numbers and booleans is pandas' job (fast, and a value that does
not parse has no typed value for an expectation to judge); the parser's reason is the
quarantine reason for it. Everything else (required values, allowed codes, ranges, dates
not after the load date, uniqueness in the batch, cross-field rules) is the feed's Great
Expectations suite, run once on a DataFrame of the night's new batches of that feed (a
DuckDB SQL datasource returns no rows in GX 1.24, ../shared/KNOWN_GROUND.md). Failing
rows come back by key through `unexpected_index_column_names`; their values are never
kept.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from data_contracts.expectations import (
    BATCH_COLUMN,
    DATE_TYPE,
    LOAD_DATE_PARAMETER,
    NUMERIC_TYPE,
    REQUIRED_REASON,
    Check,
    build_suite,
)
from data_contracts.feeds import Feed
from data_contracts.parsing import parse_column, term_end


@dataclass(frozen=True)
class CheckResult:
    """One check on one batch, as the nightly page and `validation_result` show it."""

    source: str
    """`parser` or `expectation` (the feed's Great Expectations suite)."""
    label: str
    column: str
    reason: str
    success: bool
    unexpected_count: int
    """Rows the check itself flagged (for an expectation, Great Expectations' count)."""
    row_numbers: tuple[int, ...]
    """Rows quarantined for this check's reason (a blank that failed to parse is counted
    under the parser, not again under 'missing required value')."""


@dataclass(frozen=True)
class BatchValidation:
    suite: str
    typed: pd.DataFrame
    problems: pd.DataFrame
    """One line per failing value: row_index, column_name, reason; in a fixed order."""
    results: tuple[CheckResult, ...]


class _Expectations:
    """The ephemeral Great Expectations context and one suite per feed, made once."""

    def __init__(self) -> None:
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        # Its ephemeral context logs a temporary Data Docs folder at INFO on every run;
        # those docs are never built here (see report_page.py), so the line is noise.
        logging.getLogger("great_expectations.data_context.types.base").setLevel(logging.WARNING)
        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
        self.source = self.context.data_sources.add_pandas("partner_feeds")
        self.feeds: dict[str, tuple[Any, Any, list[Check]]] = {}

    def for_feed(self, feed: Feed) -> tuple[Any, Any, list[Check]]:
        if feed.name not in self.feeds:
            asset = self.source.add_dataframe_asset(feed.name)
            batch_definition = asset.add_batch_definition_whole_dataframe(f"{feed.name}_batch")
            suite, checks = build_suite(feed)
            self.feeds[feed.name] = (batch_definition, suite, checks)
        return self.feeds[feed.name]


_engine: _Expectations | None = None


def expectation_engine() -> _Expectations:
    global _engine
    if _engine is None:
        _engine = _Expectations()
    return _engine


def derived_columns(feed: Feed, typed: pd.DataFrame) -> dict[str, pd.Series]:
    """Columns computed from others that the contract checks or staging stores."""
    if feed.name != "attendance":
        return {}
    absent = typed["sessions_authorised_absence"] + typed["sessions_unauthorised_absence"]
    return {
        "term_end": term_end(typed["academic_year"].astype(object), typed["term"]),
        "sessions_absent": absent,
    }


def validation_frame(
    feed: Feed, typed: pd.DataFrame, row_numbers: pd.Series, derived: dict[str, pd.Series]
) -> pd.DataFrame:
    """The batch as the suite sees it: dates as datetime64, numbers as float64."""
    columns: dict[str, pd.Series] = {"row_number": row_numbers.astype("int64")}
    kinds = {c.name: c.kind for c in feed.all_columns}
    kinds.update({"term_end": "date", "sessions_absent": "int"})
    for name, values in {**{n: typed[n] for n in typed.columns}, **derived}.items():
        kind = kinds.get(name, "text")
        if kind in ("int", "decimal"):
            columns[name] = pd.Series(
                pd.to_numeric(values).to_numpy(dtype=NUMERIC_TYPE, na_value=float("nan")),
                index=values.index,
            )
        elif kind in ("date", "month"):
            columns[name] = pd.to_datetime(values).astype(DATE_TYPE)
        else:
            columns[name] = values.astype(object).where(values.notna(), None)
    return pd.DataFrame(columns, index=typed.index)


def validate_batch(
    feed: Feed, frame: pd.DataFrame, row_numbers: pd.Series, load_date: date
) -> BatchValidation:
    """Parse one batch, run its suite, and turn every failure into a quarantine line."""
    return validate_batches(feed, [(frame, row_numbers)], load_date)[0]


def validate_batches(
    feed: Feed, batches: list[tuple[pd.DataFrame, pd.Series]], load_date: date
) -> list[BatchValidation]:
    """Check every new batch of one feed with a single suite run.

    A suite run costs about half a second however few its rows (Great Expectations
    builds a metric graph per expectation), so a night's batches of a feed are checked
    together: uniqueness is still judged within each batch (the batch is part of the
    key) and every result is split back per batch, so each batch's quarantine lines are
    exactly what checking it alone would give.
    """
    frame = pd.concat([f for f, _ in batches], ignore_index=True)
    part = pd.Series(
        [position for position, (f, _) in enumerate(batches) for _ in range(len(f))],
        dtype="int64",
    )
    row_numbers = pd.concat([n for _, n in batches], ignore_index=True).astype("int64")
    n = len(batches)
    typed = pd.DataFrame(index=frame.index)
    parse_failures: dict[str, np.ndarray] = {}
    found: list[tuple[str, str, str, str, pd.Index, pd.DataFrame]] = []
    """(source, label, column, reason, rows flagged, quarantine lines) per check."""
    order = {c.name: position for position, c in enumerate(feed.all_columns)}
    for column in feed.all_columns:
        text = (
            frame[column.name].astype(str)
            if column.name in frame.columns
            else pd.Series("", index=frame.index, dtype=object)
        )
        parsed = parse_column(column, text)
        typed[column.name] = parsed.values
        parse_failures[column.name] = parsed.failed.to_numpy()
        for parse_check in parsed.checks:
            flagged = frame.index[parse_check.failed.to_numpy()]
            lines = _lines(flagged, column.name, parse_check.reason, (order[column.name], -1))
            found.append(
                ("parser", parse_check.label, column.name, parse_check.reason, flagged, lines)
            )

    derived = derived_columns(feed, typed)
    checked = validation_frame(feed, typed, row_numbers, derived)
    checked["row_key"] = checked.index.to_numpy()
    checked[BATCH_COLUMN] = part.to_numpy()
    batch_definition, suite, checks = expectation_engine().for_feed(feed)
    batch = batch_definition.get_batch(batch_parameters={"dataframe": checked})
    outcome = batch.validate(
        suite,
        result_format={
            "result_format": "COMPLETE",
            "unexpected_index_column_names": ["row_key"],
            "return_unexpected_index_query": False,
        },
        expectation_parameters={
            LOAD_DATE_PARAMETER: datetime(load_date.year, load_date.month, load_date.day)
        },
    )
    by_number = {r.expectation_config.meta["check"]: r for r in outcome.results}
    for number, check in enumerate(checks):
        result = by_number[number]
        if result.exception_info and result.exception_info.get("raised_exception"):
            message = result.exception_info.get("exception_message", "")
            raise RuntimeError(f"expectation {check.label} on feed {feed.name} raised: {message}")
        if check.kind == "type" and not result.success:
            raise RuntimeError(f"the parser gave {check.label!r} the wrong type ({feed.name})")
        flagged = pd.Index(
            sorted(
                int(item["row_key"]) for item in result.result.get("unexpected_index_list") or []
            )
        )
        rank = (order.get(check.column, len(order)), number)
        if check.kind == "required":
            kept = flagged[~parse_failures[check.column][flagged.to_numpy(dtype="int64")]]
            lines = _lines(kept, check.column, REQUIRED_REASON, rank)
        elif check.kind == "unique":
            lines = _repeats(checked.loc[flagged], check, rank)
        else:
            lines = _lines(flagged, check.column, check.reason, rank)
        reason = check.reason.replace("row {first}", "an earlier row")
        found.append(("expectation", check.label, check.column, reason, flagged, lines))

    problems = pd.concat([lines for *_, lines in found], ignore_index=True)
    problems["row_number"] = row_numbers.loc[problems["row_index"]].to_numpy()
    problems["part"] = part.loc[problems["row_index"]].to_numpy()
    problems = problems.sort_values(["row_number", "column_rank", "check_rank"], kind="stable")
    if "term_end" in derived:
        typed["term_end"] = derived["term_end"]

    part_of_row = part.to_numpy()
    number_of_row = row_numbers.to_numpy()
    per_check = []
    for source, label, column_name, reason, flagged, lines in found:
        flagged_parts = np.bincount(part_of_row[flagged.to_numpy(dtype="int64")], minlength=n)
        keys = lines["row_index"].to_numpy(dtype="int64")
        quarantined: dict[int, list[int]] = {}
        for key in keys:
            quarantined.setdefault(int(part_of_row[key]), []).append(int(number_of_row[key]))
        per_check.append((source, label, column_name, reason, flagged_parts, quarantined))
    own_lines = dict(iter(problems.groupby("part", sort=False)))
    validations = []
    for position, (original, _) in enumerate(batches):
        mine = part_of_row == position
        own = own_lines.get(position, problems.iloc[:0])
        original_index = original.index.to_numpy()
        first_key = int(np.argmax(mine)) if mine.any() else 0
        own_problems = pd.DataFrame(
            {
                "row_index": original_index[own["row_index"].to_numpy(dtype="int64") - first_key],
                "column_name": own["column_name"].to_numpy(),
                "reason": own["reason"].to_numpy(),
            }
        )
        results = tuple(
            CheckResult(
                source,
                label,
                column,
                reason,
                int(flagged_parts[position]) == 0,
                int(flagged_parts[position]),
                tuple(sorted(quarantined.get(position, ()))),
            )
            for source, label, column, reason, flagged_parts, quarantined in per_check
        )
        own_typed = typed[mine].set_axis(original.index)
        validations.append(BatchValidation(suite.name, own_typed, own_problems, results))
    return validations


def _lines(index: pd.Index, column: str, reason: str, rank: tuple[int, int]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "row_index": list(index),
            "column_name": column,
            "reason": reason,
            "column_rank": rank[0],
            "check_rank": rank[1],
        },
        columns=["row_index", "column_name", "reason", "column_rank", "check_rank"],
    )


def _repeats(rows: pd.DataFrame, check: Check, rank: tuple[int, int]) -> pd.DataFrame:
    """Rows repeating an earlier row's key: the first in the file stays, the rest are
    quarantined naming it, so a data team can see which row was kept."""
    if rows.empty:
        return _lines(pd.Index([]), check.column, check.reason, rank)
    ordered = rows.sort_values([BATCH_COLUMN, "row_number"], kind="stable")
    key = [BATCH_COLUMN, *check.key]
    first = ordered.groupby(key, dropna=False, sort=False)["row_number"].transform("min")
    later = ordered[ordered["row_number"] != first]
    frame = _lines(later.index, check.column, "", rank)
    frame["reason"] = [check.reason.format(first=int(n)) for n in first.loc[later.index]]
    return frame

"""Check batches against their feed's contract: parse in pandas, then one GX suite run.

Parsing text into dates, numbers and booleans is pandas' job (fast, and a value that does
not parse has no typed value for an expectation to judge); the parser's reason is the
quarantine reason for it. Everything else (required values, allowed codes, ranges, dates
not after the load date, uniqueness in the batch, cross-field rules) is the feed's Great
Expectations suite, run once on a DataFrame of the night's new batches of that feed (a
DuckDB SQL datasource returns no rows in GX 1.24, ../shared/KNOWN_GROUND.md). Great
Expectations decides each check's pass or fail and counts its failing rows; the rows are
located by a vectorised mask of the same rule (`unexpected_rows`), which must find
exactly as many, since asking it for COMPLETE lists of row keys cost seconds a night
(issue 26). No failing value is ever kept.
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
    FAST_DATE_TYPE,
    LOAD_DATE_PARAMETER,
    NUMERIC_TYPE,
    REQUIRED_REASON,
    Check,
    build_suite,
    suite_checks,
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
        self.batches: dict[str, Any] = {}
        self.suites: dict[tuple[str, str], tuple[Any, list[Check]]] = {}

    def for_feed(self, feed: Feed, date_type: str = DATE_TYPE) -> tuple[Any, Any, list[Check]]:
        """The feed's batch definition, its suite for dates in `date_type`, and its checks."""
        if feed.name not in self.batches:
            asset = self.source.add_dataframe_asset(feed.name)
            self.batches[feed.name] = asset.add_batch_definition_whole_dataframe(
                f"{feed.name}_batch"
            )
        if (feed.name, date_type) not in self.suites:
            self.suites[feed.name, date_type] = build_suite(feed, date_type)
        suite, checks = self.suites[feed.name, date_type]
        return self.batches[feed.name], suite, checks


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


NANOSECOND_DATES = (np.datetime64("1677-09-22", "s"), np.datetime64("2262-04-11", "s"))
"""The days a datetime64[ns] holds whole (pandas.Timestamp.min and max, to the day)."""


def fast_dates(checked: pd.DataFrame) -> str:
    """Hand the suite its dates as datetime64[ns] when every one fits (the date type the
    run's suite then checks for); a run with a date outside 1677-2262 keeps seconds."""
    dated = [name for name in checked.columns if checked[name].dtype == DATE_TYPE]
    low, high = NANOSECOND_DATES
    for name in dated:
        values = checked[name]
        if values.notna().any() and (values.min() < low or values.max() > high):
            return DATE_TYPE
    for name in dated:
        checked[name] = checked[name].astype(FAST_DATE_TYPE)
    return FAST_DATE_TYPE


def unexpected_rows(
    class_name: str, arguments: dict[str, Any], checked: pd.DataFrame, load_date: datetime
) -> np.ndarray:
    """The rows one expectation finds unexpected, as a vectorised mask over `checked`.

    Great Expectations decides pass or fail and counts the rows (`validate_batches`
    requires the count to agree); listing every failing row through it (`COMPLETE`)
    costs seconds a night, so the rows are located here by the same rule: nulls are not
    judged by a value check, a compound key's every repeat is unexpected, a column pair
    is judged only where both sides hold a value."""
    if class_name == "ExpectColumnValuesToBeOfType":
        return np.zeros(len(checked), dtype=bool)  # must pass (a parser fault otherwise)
    if class_name == "ExpectCompoundColumnsToBeUnique":
        return checked[arguments["column_list"]].duplicated(keep=False).to_numpy()
    if class_name == "ExpectColumnPairValuesAToBeGreaterThanB":
        later, earlier = checked[arguments["column_A"]], checked[arguments["column_B"]]
        both = later.notna() & earlier.notna()
        return (both & ~(later >= earlier if arguments["or_equal"] else later > earlier)).to_numpy()
    values = checked[arguments["column"]]
    if class_name == "ExpectColumnValuesToNotBeNull":
        return values.isna().to_numpy()
    present = values.notna()
    if class_name == "ExpectColumnValuesToBeInSet":
        return (present & ~values.isin(arguments["value_set"])).to_numpy()
    if class_name == "ExpectColumnValuesToBeBetween":
        outside = pd.Series(False, index=values.index)
        low, high = arguments.get("min_value"), arguments.get("max_value")
        if low is not None:
            outside |= values <= low if arguments.get("strict_min") else values < low
        if high is not None:
            limit = load_date if isinstance(high, dict) else high  # the load date parameter
            outside |= values >= limit if arguments.get("strict_max") else values > limit
        return (present & outside).to_numpy()
    raise RuntimeError(f"no row rule for expectation {class_name}")


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
    checked[BATCH_COLUMN] = part.to_numpy()
    date_type = fast_dates(checked)
    batch_definition, suite, checks = expectation_engine().for_feed(feed, date_type)
    batch = batch_definition.get_batch(batch_parameters={"dataframe": checked})
    load_moment = datetime(load_date.year, load_date.month, load_date.day)
    outcome = batch.validate(
        suite,
        result_format={"result_format": "BASIC", "partial_unexpected_count": 0},
        expectation_parameters={LOAD_DATE_PARAMETER: load_moment},
    )
    by_number = {r.expectation_config.meta["check"]: r for r in outcome.results}
    planned = suite_checks(feed, date_type)
    for number, check in enumerate(checks):
        result = by_number[number]
        if result.exception_info and result.exception_info.get("raised_exception"):
            message = result.exception_info.get("exception_message", "")
            raise RuntimeError(f"expectation {check.label} on feed {feed.name} raised: {message}")
        if check.kind == "type" and not result.success:
            raise RuntimeError(f"the parser gave {check.label!r} the wrong type ({feed.name})")
        class_name, arguments, _ = planned[number]
        mask = unexpected_rows(class_name, arguments, checked, load_moment)
        flagged = checked.index[mask]
        counted = int(result.result.get("unexpected_count") or 0)
        if len(flagged) != counted or bool(result.success) != (counted == 0):
            raise RuntimeError(
                f"expectation {check.label} on feed {feed.name}: {counted} rows failed,"
                f" {len(flagged)} located"
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
    starts = [0, *np.cumsum([len(f) for f, _ in batches]).tolist()]
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
        first_key, end = starts[position], starts[position + 1]  # a batch's rows are together
        own = own_lines.get(position, problems.iloc[:0])
        original_index = original.index.to_numpy()
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
        own_typed = typed.iloc[first_key:end].set_axis(original.index)
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

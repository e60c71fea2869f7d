"""Column parsers: text in, typed values out, and a reason for every value that fails.

Each parser takes the raw text of one column and returns the parsed values plus a mask of
the rows it could not parse, so a bad value quarantines its row instead of stopping the
file (SPEC section 1: rows in = rows staged + rows quarantined).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from data_contracts.feeds import EARLIEST_RECORD, INTEGER_MAX, Column, Feed
from data_contracts.text_encoding import BLANK_CHARACTERS

TRUE_WORDS = {"true", "t", "yes", "y", "1"}
FALSE_WORDS = {"false", "f", "no", "n", "0"}
ACADEMIC_YEAR = re.compile(r"^(\d{4})/(\d{2})$")
# Attendance terms are dated at their end (docs/interpretations.md, "term dates").
TERM_END_MONTH_DAY = {"autumn": (12, 31), "spring": (3, 31), "summer": (7, 31)}
PLAIN_NUMBER = r"(?:[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|[+-]?\.\d+)"
"""A number as a person writes it: digits, thousands commas only every three digits
(`1,400`, never `1,4,0`), an optional decimal part. No exponent, `inf` or `NaN`: a partner
system never means them, and `1e308` or `Infinity` would stage as an absurd amount."""
UK_OR_US_DATE = r"(\d{1,2})/(\d{1,2})/(\d{4})"
PLACEHOLDERS = frozenset(
    {"null", "n/a", "#n/a", "undefined", "#value!", "#ref!", "#div/0!", "#name?", "#null!"}
)
"""Texts systems write for 'no value' (database nulls, spreadsheet errors): never a name
or an identifier, so a required text holding one is quarantined as a placeholder."""
PLACEHOLDER_REASON = "a placeholder, not a value (expected letters or digits)"


@dataclass(frozen=True)
class ParseCheck:
    """One parser check on one column: its label, the rows that failed it and why."""

    label: str
    failed: pd.Series
    reason: str


@dataclass(frozen=True)
class ParsedColumn:
    values: pd.Series
    checks: tuple[ParseCheck, ...]

    @property
    def failed(self) -> pd.Series:
        """Rows whose value failed any parser check (their typed value is blank)."""
        failed = pd.Series(False, index=self.values.index)
        for check in self.checks:
            failed |= check.failed
        return failed


def parse_dates(text: pd.Series) -> pd.Series:
    """ISO `YYYY-MM-DD` (an Excel cell's midnight time allowed) or UK `DD/MM/YYYY`."""
    return _date_times(text).dt.date


def _date_times(text: pd.Series) -> pd.Series:
    iso = pd.to_datetime(
        text.str.slice(0, 10).where(_iso_like(text)), format="%Y-%m-%d", errors="coerce"
    )
    uk = pd.to_datetime(text, format="%d/%m/%Y", errors="coerce")
    return iso.fillna(uk)


def _iso_like(text: pd.Series) -> pd.Series:
    return text.str.fullmatch(r"\d{4}-\d{2}-\d{2}( 00:00:00)?")


def _dated(column: Column, text: pd.Series, moments: pd.Series) -> list[ParseCheck]:
    """The parse check, then the column's plausible range: a date that parses but lies
    before any real record (year 13, 1753) fails with its own reason."""
    unparsed = moments.isna()
    earliest = column.earliest_plausible or EARLIEST_RECORD
    early = ~unparsed & (moments < pd.Timestamp(earliest))
    kind = column.kind
    return [
        ParseCheck(f"{column.name} parses as {kind}", unparsed, column.expected),
        ParseCheck(
            f"{column.name} on or after {earliest.isoformat()}",
            early,
            f"expected a {'date' if kind == 'date' else 'month'} on or after"
            f" {earliest.isoformat()}",
        ),
    ]


def _parse_date(column: Column, text: pd.Series) -> ParsedColumn:
    moments = _date_times(text)
    checks = _dated(column, text, moments)
    return ParsedColumn(moments.dt.date, tuple(checks))


def _parse_month(column: Column, text: pd.Series) -> ParsedColumn:
    iso = pd.to_datetime(
        text.where(text.str.fullmatch(r"\d{4}-\d{2}")), format="%Y-%m", errors="coerce"
    )
    uk = pd.to_datetime(
        text.where(text.str.fullmatch(r"\d{2}/\d{4}")), format="%m/%Y", errors="coerce"
    )
    moments = iso.fillna(uk)
    return ParsedColumn(moments.dt.date, tuple(_dated(column, text, moments)))


def _parse_number(column: Column, text: pd.Series) -> ParsedColumn:
    """A plain, finite number; its range is the expectation suite's check."""
    plain = text.str.fullmatch(PLAIN_NUMBER).fillna(False).astype(bool)
    numbers = pd.to_numeric(
        text.where(plain).str.replace(",", "", regex=False), errors="coerce"
    ).astype("float64")
    bad = numbers.isna() | ~numbers.abs().lt(float("inf"))
    checks = [ParseCheck(f"{column.name} parses as {column.kind}", bad, column.expected)]
    if column.kind == "int":
        bad |= numbers.notna() & (numbers % 1 != 0)
        too_large = ~bad & (numbers.abs() > INTEGER_MAX)
        checks = [
            ParseCheck(f"{column.name} parses as int", bad, column.expected),
            ParseCheck(
                f"{column.name} fits a whole-number column",
                too_large,
                f"{column.expected} and at most {INTEGER_MAX}",
            ),
        ]
        numbers = numbers.where(~too_large)
    values = numbers.where(~bad).astype("Int64" if column.kind == "int" else "Float64")
    return ParsedColumn(values, tuple(checks))


def _parse_bool(column: Column, text: pd.Series) -> ParsedColumn:
    lowered = text.str.lower()
    values = pd.Series(pd.NA, index=text.index, dtype="boolean")
    values[lowered.isin(TRUE_WORDS)] = True
    values[lowered.isin(FALSE_WORDS)] = False
    check = ParseCheck(f"{column.name} parses as bool", values.isna(), column.expected)
    return ParsedColumn(values, (check,))


def _parse_code(column: Column, text: pd.Series) -> ParsedColumn:
    """Codes in any case become the contract's spelling; an unknown code is kept as sent
    so the expectation suite's allowed-codes check is the one that refuses it."""
    lowered = text.str.lower()
    known = lowered.isin([code.lower() for code in column.codes])
    if all(code == code.lower() for code in column.codes):
        values = lowered.where(known, text)
    elif all(code == code.upper() for code in column.codes):
        values = text.str.upper().where(known, text)
    else:
        canonical = {code.lower(): code for code in column.codes}
        values = lowered.map(canonical).where(known, text)
    return ParsedColumn(values, ())


def _parse_academic_year(column: Column, text: pd.Series) -> ParsedColumn:
    shaped = text.str.fullmatch(ACADEMIC_YEAR.pattern).fillna(False).astype(bool)
    start = pd.to_numeric(text.str.slice(0, 4).where(shaped), errors="coerce")
    end = pd.to_numeric(text.str.slice(5, 7).where(shaped), errors="coerce")
    bad = ~shaped | ((start + 1) % 100 != end) | (start < EARLIEST_RECORD.year)
    check = ParseCheck(f"{column.name} parses as academic year", bad, column.expected)
    return ParsedColumn(text.where(~bad), (check,))


def _parse_text(column: Column, text: pd.Series) -> ParsedColumn:
    """A required text (a name, an identifier) must hold letters or digits: `-`, `.` or
    `NULL` stand for a value nobody sent."""
    if not column.required:
        return ParsedColumn(text, ())
    placeholder = ~text.str.contains(r"[^\W_]") | text.str.lower().isin(PLACEHOLDERS)
    check = ParseCheck(f"{column.name} is not a placeholder", placeholder, PLACEHOLDER_REASON)
    return ParsedColumn(text, (check,))


PARSERS: dict[str, Callable[[Column, pd.Series], ParsedColumn]] = {
    "date": _parse_date,
    "month": _parse_month,
    "int": _parse_number,
    "decimal": _parse_number,
    "bool": _parse_bool,
    "code": _parse_code,
    "academic_year": _parse_academic_year,
    "text": _parse_text,
}


def parse_column(column: Column, text: pd.Series) -> ParsedColumn:
    """Parse one column; blanks are never an error here (requiredness is checked apart).

    A value of only white space or invisible characters (a zero-width space) is blank.
    """
    stripped = text.str.strip(BLANK_CHARACTERS)
    blank = stripped.eq("")
    parsed = PARSERS[column.kind](column, stripped)
    checks = tuple(
        ParseCheck(check.label, check.failed.fillna(False).astype(bool) & ~blank, check.reason)
        for check in parsed.checks
    )
    failed = pd.Series(False, index=text.index)
    for check in checks:
        failed |= check.failed
    return ParsedColumn(parsed.values.where(~blank & ~failed), checks)


def month_first_dates(feed: Feed, frame: pd.DataFrame) -> tuple[str, int] | None:
    """A date column written month-first (US `MM/DD/YYYY`): (column, a row that shows it).

    Read day-first, such a file loads with day and month swapped wherever both are 12 or
    less. A column is month-first when some of its slash dates can only be month-first
    (second part over 12) and none can only be day-first (first part over 12).
    """
    for column in feed.all_columns:
        if column.kind != "date" or column.name not in frame.columns:
            continue
        text = frame[column.name]
        slashed = text.str.contains("/", regex=False).fillna(False).astype(bool)
        if not slashed.any():
            continue
        parts = text[slashed].str.strip(BLANK_CHARACTERS).str.extract(f"^{UK_OR_US_DATE}$")
        first = pd.to_numeric(parts[0], errors="coerce")
        second = pd.to_numeric(parts[1], errors="coerce")
        month_first = (first <= 12) & (second > 12) & (second <= 31)
        day_first = (first > 12) & (first <= 31) & (second <= 12)
        if month_first.any() and not day_first.any():
            return column.name, int(month_first[month_first].index[0])
    return None


def term_end(academic_year: pd.Series, term: pd.Series) -> pd.Series:
    """The date a term's attendance row stands for, so it can be cut at an as-of date."""
    start_year = pd.to_numeric(academic_year.str.slice(0, 4), errors="coerce")
    known = term.isin(list(TERM_END_MONTH_DAY)) & start_year.notna()
    parts = pd.DataFrame(
        {
            "year": (start_year + (term != "autumn").astype(int)).where(known, 2000),
            "month": term.map({t: md[0] for t, md in TERM_END_MONTH_DAY.items()}).where(known, 1),
            "day": term.map({t: md[1] for t, md in TERM_END_MONTH_DAY.items()}).where(known, 1),
        }
    ).astype("int64")
    dates = pd.Series(pd.to_datetime(parts).dt.date, index=academic_year.index, dtype=object)
    return dates.where(known, None)

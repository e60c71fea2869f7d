"""Column parsers: text in, typed values out, and a reason for every value that fails.

Each parser takes the raw text of one column and returns the parsed values plus a mask of
the rows it could not parse, so a bad value quarantines its row instead of stopping the
file (SPEC section 1: rows in = rows staged + rows quarantined).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pandas as pd

from data_contracts.feeds import Column

Parsed = tuple[pd.Series, pd.Series, str]
"""Parsed values, a mask of rows that failed, and the reason to give for them."""

TRUE_WORDS = {"true", "t", "yes", "y", "1"}
FALSE_WORDS = {"false", "f", "no", "n", "0"}
ACADEMIC_YEAR = re.compile(r"^(\d{4})/(\d{2})$")
# Attendance terms are dated at their end (docs/interpretations.md, "term dates").
TERM_END_MONTH_DAY = {"autumn": (12, 31), "spring": (3, 31), "summer": (7, 31)}


def parse_dates(text: pd.Series) -> pd.Series:
    """ISO `YYYY-MM-DD` (an Excel cell's midnight time allowed) or UK `DD/MM/YYYY`."""
    iso = pd.to_datetime(
        text.str.slice(0, 10).where(_iso_like(text)), format="%Y-%m-%d", errors="coerce"
    )
    uk = pd.to_datetime(text, format="%d/%m/%Y", errors="coerce")
    return iso.fillna(uk).dt.date


def _iso_like(text: pd.Series) -> pd.Series:
    return text.str.fullmatch(r"\d{4}-\d{2}-\d{2}( 00:00:00)?")


def _parse_date(column: Column, text: pd.Series) -> Parsed:
    values = parse_dates(text)
    return values, values.isna(), column.expected


def _parse_month(column: Column, text: pd.Series) -> Parsed:
    iso = pd.to_datetime(
        text.where(text.str.fullmatch(r"\d{4}-\d{2}")), format="%Y-%m", errors="coerce"
    )
    uk = pd.to_datetime(
        text.where(text.str.fullmatch(r"\d{2}/\d{4}")), format="%m/%Y", errors="coerce"
    )
    values = iso.fillna(uk).dt.date
    return values, values.isna(), column.expected


def _parse_number(column: Column, text: pd.Series) -> Parsed:
    """A number, thousands separators allowed; its range is the expectation suite's check."""
    numbers = pd.to_numeric(text.str.replace(",", "", regex=False), errors="coerce")
    bad = numbers.isna()
    if column.kind == "int":
        bad |= numbers.notna() & (numbers % 1 != 0)
    values = numbers.where(~bad).astype("Int64" if column.kind == "int" else "Float64")
    return values, bad, column.expected


def _parse_bool(column: Column, text: pd.Series) -> Parsed:
    lowered = text.str.lower()
    values = pd.Series(pd.NA, index=text.index, dtype="boolean")
    values[lowered.isin(TRUE_WORDS)] = True
    values[lowered.isin(FALSE_WORDS)] = False
    return values, values.isna(), column.expected


def _parse_code(column: Column, text: pd.Series) -> Parsed:
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
    return values, pd.Series(False, index=text.index), column.expected


def _parse_academic_year(column: Column, text: pd.Series) -> Parsed:
    shaped = text.str.fullmatch(ACADEMIC_YEAR.pattern).fillna(False).astype(bool)
    start = pd.to_numeric(text.str.slice(0, 4).where(shaped), errors="coerce")
    end = pd.to_numeric(text.str.slice(5, 7).where(shaped), errors="coerce")
    bad = ~shaped | ((start + 1) % 100 != end)
    return text.where(~bad), bad, column.expected


def _parse_text(column: Column, text: pd.Series) -> Parsed:
    return text, pd.Series(False, index=text.index), ""


PARSERS: dict[str, Callable[[Column, pd.Series], Parsed]] = {
    "date": _parse_date,
    "month": _parse_month,
    "int": _parse_number,
    "decimal": _parse_number,
    "bool": _parse_bool,
    "code": _parse_code,
    "academic_year": _parse_academic_year,
    "text": _parse_text,
}


def parse_column(column: Column, text: pd.Series) -> Parsed:
    """Parse one column; blanks are never an error here (requiredness is checked apart)."""
    blank = text.str.strip().eq("")
    values, bad, reason = PARSERS[column.kind](column, text.str.strip())
    values = values.where(~blank)
    return values, bad & ~blank, reason


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

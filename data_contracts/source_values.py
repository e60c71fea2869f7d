"""Turning a partner's values into the feed contract's: names, codes, dates, terms.

Every function takes a column of text and returns text the contract's parser reads
(`data_contracts/parsing.py`), plus a mask of the values it could not turn, so a source
mapping quarantines a row with a reason instead of guessing. Matching of names and codes
ignores case, spaces and punctuation (`Male`, `MALE`, `male ` are one value; `Autumn Term`
and `autumn-term` too).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from data_contracts.feeds import TERMS, Column
from data_contracts.parsing import FALSE_WORDS, TRUE_WORDS

DATE_FORMAT_NAMES = ("iso", "uk", "excel")
"""`iso` YYYY-MM-DD, `uk` DD/MM/YYYY (each with or without a time after it), `excel` a
serial day number as a workbook saved to CSV writes a date cell (45413 = 2024-05-01)."""
MONTH_FORMAT_NAMES = ("iso", "uk")
"""`iso` YYYY-MM, `uk` MM/YYYY; any date format also gives its month."""
DEFAULT_DATE_FORMATS = ("iso", "uk", "excel")
DEFAULT_MONTH_FORMATS = ("iso", "uk", "%Y%m", "%b %Y", "%B %Y", "%b-%Y", "%b-%y")
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
EXCEL_SERIALS = (10_000, 80_000)
"""Serials read as dates: 1927-05-18 to 2119-01-08, so a stray small number is refused."""
_TIME_PART = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?( ?[AaPp][Mm])?(Z|[+-]\d{2}:?\d{2})?$")
_NOT_ALNUM = re.compile(r"[^0-9a-z]")
ISO_SHAPE = r"\d{4}-\d{2}-\d{2}"
UK_SHAPE = r"\d{2}/\d{2}/\d{4}"


def day_first(formats: tuple[str, ...]) -> bool:
    """Whether slash dates are read day first: `uk` or a `%d/%m` pattern comes before
    any month-first one (a definition naming `%m/%d/%Y` reads US dates as it says)."""
    for name in formats:
        if name == "uk" or name.startswith("%d/%m"):
            return True
        if name.startswith("%m/%d"):
            return False
    return False


def without_time(text: pd.Series) -> pd.Series:
    """Date-times as their date part (`01/05/2024 00:00:00` -> `01/05/2024`)."""
    return text.str.strip().str.replace(_TIME_PART, "", regex=True)


def normalise_name(text: str) -> str:
    """`Termly Sessions Possible`, `termly_sessions_possible` -> `termlysessionspossible`."""
    return _NOT_ALNUM.sub("", str(text).casefold())


def allowed_value(value: str, column: Column) -> bool:
    """Whether the contract's parser accepts `value` in `column` (codes in any case)."""
    lowered = value.strip().lower()
    if column.kind == "code":
        return lowered in {code.lower() for code in column.codes}
    if column.kind == "bool":
        return lowered in TRUE_WORDS | FALSE_WORDS
    if column.kind in ("int", "decimal"):
        try:
            number = float(value.replace(",", ""))
        except ValueError:
            return False
        return column.kind == "decimal" or number.is_integer()
    if column.kind == "academic_year":
        return bool(academic_years(pd.Series([value], dtype="str")).notna().all())
    if column.kind in ("date", "month"):
        return bool(dates(pd.Series([value], dtype="str"), DEFAULT_DATE_FORMATS).notna().all())
    return True


@dataclass(frozen=True)
class ValueMap:
    """Source values (normalised) to contract values, for one column.

    A value already allowed by the contract passes unchanged; any other value is mapped,
    or takes `otherwise` when given, or is left unmapped (the row is quarantined naming
    it). A blank stays blank unless the map has a blank key or an `otherwise`.
    """

    column: str
    entries: dict[str, str]
    labels: dict[str, str]
    otherwise: str | None = None

    def apply(self, text: pd.Series, column: Column) -> tuple[pd.Series, pd.Series]:
        """(mapped text, mask of values with no mapping).

        Each distinct value is looked up once: a column of codes has few of them however
        many rows it has."""
        allowed = _allowed_values(column)
        text = text.fillna("")
        lookup: dict[str, str | None] = {}
        for value in pd.unique(text.to_numpy()):
            key = normalise_name(value)
            if key in self.entries:
                lookup[value] = self.entries[key]
            elif self.otherwise is not None:
                lookup[value] = self.otherwise
            elif not value.strip():
                lookup[value] = ""
            else:
                lookup[value] = value if value.strip().lower() in allowed else None
        mapped = text.map(lookup)
        missing = mapped.isna()
        return mapped.fillna("").astype("str"), missing


def _allowed_values(column: Column) -> set[str]:
    """Values the contract takes as they are (matched in lower case)."""
    if column.kind == "code":
        return {code.lower() for code in column.codes}
    if column.kind == "bool":
        return TRUE_WORDS | FALSE_WORDS
    return set()


def dates(text: pd.Series, formats: tuple[str, ...]) -> pd.Series:
    """Parse with each format in turn (the first that reads a value wins); NaT if none.

    `iso` and `uk` (and a pattern without a time directive) read the date part of a
    date-time (`01/05/2024 00:00:00`, `2024-05-01T14:30`); the time is dropped."""
    stripped = text.str.strip()
    found = pd.Series(pd.NaT, index=text.index, dtype="datetime64[s]")
    formats = formats or DEFAULT_DATE_FORMATS
    if "iso" in formats:
        # Plain ISO dates, the commonest shape, are parsed at once without the time step.
        plain = stripped.str.fullmatch(ISO_SHAPE).fillna(False).astype(bool)
        if plain.any():
            found[plain] = pd.to_datetime(stripped[plain], format="%Y-%m-%d", errors="coerce")
    dated: pd.Series | None = None
    for name in formats:
        todo = found.isna() & stripped.ne("")
        if not todo.any():
            break
        candidate = stripped[todo]
        if name == "excel":
            parsed = _excel(candidate)
        elif name in ("iso", "uk") or not _has_time_directive(name):
            if dated is None:  # the time dropped once, for every format that needs it
                dated = stripped.str.replace(_TIME_PART, "", regex=True)
            date_part = dated[todo]
            if name == "iso":
                parsed = _strict(date_part, "%Y-%m-%d", r"\d{4}-\d{1,2}-\d{1,2}")
            elif name == "uk":
                parsed = _strict(date_part, "%d/%m/%Y", r"\d{1,2}/\d{1,2}/\d{4}")
            else:
                parsed = pd.to_datetime(date_part, format=name, errors="coerce")
        else:
            parsed = pd.to_datetime(candidate, format=name, errors="coerce")
        found.loc[parsed.index] = found.loc[parsed.index].fillna(parsed.astype("datetime64[s]"))
    return found


def _has_time_directive(pattern: str) -> bool:
    return any(d in pattern for d in ("%H", "%I", "%M", "%S", "%p", "%f"))


def _strict(text: pd.Series, pattern: str, shape: str) -> pd.Series:
    shaped = text.where(text.str.fullmatch(shape).fillna(False).astype(bool))
    return pd.to_datetime(shaped, format=pattern, errors="coerce")


def _excel(text: pd.Series) -> pd.Series:
    numbers = pd.to_numeric(text.where(text.str.fullmatch(r"\d+(\.\d+)?")), errors="coerce")
    low, high = EXCEL_SERIALS
    numbers = numbers.where((numbers >= low) & (numbers < high))
    return EXCEL_EPOCH + pd.to_timedelta(np.floor(numbers), unit="D")


def iso_dates(text: pd.Series, formats: tuple[str, ...]) -> tuple[pd.Series, pd.Series]:
    """(date text the contract reads, mask of non-blank values no format reads).

    A value already in a shape the contract's parser reads (YYYY-MM-DD, or DD/MM/YYYY when
    `uk` is the definition's first slash format) is passed on as it is: most extracts
    need no parsing here, and an impossible date in that shape gets the contract's own
    reason. Anything else is parsed with the definition's formats and written as ISO."""
    formats = formats or DEFAULT_DATE_FORMATS
    stripped = text.str.strip()
    ready = stripped.eq("")
    if "iso" in formats:
        ready |= stripped.str.fullmatch(ISO_SHAPE).fillna(False).astype(bool)
    slashed = [f for f in formats if f == "uk" or "/" in f]
    if slashed and slashed[0] == "uk":
        ready |= stripped.str.fullmatch(UK_SHAPE).fillna(False).astype(bool)
    if ready.all():
        return stripped, pd.Series(False, index=text.index)
    parsed = dates(stripped[~ready], formats)
    out = stripped.copy()
    out[~ready] = parsed.dt.strftime("%Y-%m-%d").fillna("").astype("str")
    bad = pd.Series(False, index=text.index)
    bad[~ready] = parsed.isna()
    return out.astype("str"), bad


def iso_months(
    text: pd.Series, formats: tuple[str, ...], date_formats: tuple[str, ...]
) -> tuple[pd.Series, pd.Series]:
    """(YYYY-MM text, mask of non-blank values no month or date format reads)."""
    stripped = text.str.strip()
    found = pd.Series(pd.NaT, index=text.index, dtype="datetime64[s]")
    for name in formats or DEFAULT_MONTH_FORMATS:
        todo = found.isna() & stripped.ne("")
        if not todo.any():
            break
        if name == "iso":
            parsed = _strict(stripped[todo], "%Y-%m", r"\d{4}-\d{1,2}")
        elif name == "uk":
            parsed = _strict(stripped[todo], "%m/%Y", r"\d{1,2}/\d{4}")
        else:
            parsed = pd.to_datetime(stripped[todo], format=name, errors="coerce")
        found.loc[parsed.index] = found.loc[parsed.index].fillna(parsed.astype("datetime64[s]"))
    todo = found.isna() & stripped.ne("")
    if todo.any():
        found.loc[todo] = dates(stripped[todo], date_formats)
    bad = found.isna() & stripped.ne("")
    return found.dt.strftime("%Y-%m").fillna("").astype("str"), bad


ACADEMIC_YEAR_SHAPES = re.compile(r"^\s*(\d{4})\s*[/\-–]\s*(\d{2}|\d{4})\s*$")


def academic_years(text: pd.Series) -> pd.Series:
    """`2024/25`, `2024-25`, `2024/2025`, `2024-2025` -> `2024/25`; None if not a year."""
    parts = text.str.extract(ACADEMIC_YEAR_SHAPES)
    start = pd.to_numeric(parts[0], errors="coerce")
    end = pd.to_numeric(parts[1], errors="coerce")
    end_short = end % 100
    good = start.notna() & ((start + 1) % 100 == end_short) & ((end < 100) | (end == start + 1))
    shaped = (
        start.astype("Int64").astype("str")
        + "/"
        + end_short.astype("Int64").astype("str").str.zfill(2)
    )
    return shaped.where(good, None)


def academic_term(day: pd.Series, shift: int) -> tuple[pd.Series, pd.Series]:
    """(academic year `2024/25`, term) a date falls in, moved by `shift` terms.

    September to December is the autumn term, January to March spring, April to August
    summer (the census dates fall well inside them). The school census reports a term's
    attendance in the next term's census, so an attendance extract dated by its census
    date takes `term_shift: -1` (docs/interpretations.md, "census attendance terms").
    """
    month = day.dt.month
    term_index = np.select([month >= 9, month <= 3], [0, 1], default=2)
    start_year = day.dt.year - (month < 9).astype("Int64")
    position = start_year * 3 + term_index + shift
    year = position // 3
    index = position % 3
    known = day.notna()
    text_year = (
        year.astype("Int64").astype("str")
        + "/"
        + ((year + 1) % 100).astype("Int64").astype("str").str.zfill(2)
    )
    terms = pd.Series(np.array(TERMS, dtype=object)[index.fillna(0).astype(int)])
    terms.index = day.index
    return text_year.where(known, ""), terms.where(known, "")

"""Map a partner's table onto one feed: columns by alias, derived columns, codes, dates.

The result is the feed's columns as text in the shapes its contract parses (ISO dates,
`YYYY-MM` months, `2024/25` years, the contract's codes), so the Great Expectations suite
and the quarantine work after mapping exactly as for a SPEC-shaped file. What cannot be
mapped (a code with no mapping, a date no format reads) is a quarantine line naming the
column, the value (never a personal one: names, dates of birth, identifiers, addresses)
and the definition; the row is quarantined whole, and every other row goes on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from data_contracts.feed_reader import FeedFileError
from data_contracts.feeds import Column
from data_contracts.source_definitions import Derivation, FeedMapping, SourceDefinition
from data_contracts.source_values import (
    DEFAULT_DATE_FORMATS,
    academic_term,
    academic_years,
    dates,
    iso_dates,
    iso_months,
    normalise_name,
)

PROBLEM_COLUMNS = ["row_index", "column_name", "reason"]


@dataclass
class MappedFeed:
    """A table mapped onto a feed: the frame for the contract and what the mapping saw."""

    frame: pd.DataFrame
    """Feed columns (text) plus the source's unused columns, indexed like the source."""
    problems: pd.DataFrame
    """row_index, column_name, reason: one line per value the mapping could not turn."""
    found: dict[str, str] = field(default_factory=dict)
    """Feed column -> the source column it was read from, or how it was derived."""
    unused: list[str] = field(default_factory=list)
    """Source columns no feed column reads (kept as extra columns)."""
    unmapped: dict[str, dict[str, int]] = field(default_factory=dict)
    """Feed column -> {value (or `(personal value)`): rows} for values with no mapping."""


class _Columns:
    """The source's columns found by name, case, spaces and punctuation ignored."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.by_key: dict[str, list[str]] = {}
        for name in frame.columns:
            self.by_key.setdefault(normalise_name(name), []).append(name)
        self.used: set[str] = set()
        self.parsed: dict[tuple[str, tuple[str, ...]], pd.Series] = {}

    def find(self, alias: str, file_name: str) -> str | None:
        names = self.by_key.get(normalise_name(alias), [])
        if len(names) > 1:
            raise FeedFileError(
                f"{file_name}: columns {', '.join(names)} are one name once case, spaces and"
                f" punctuation are ignored (the definition reads '{alias}')"
            )
        return names[0] if names else None

    def text(self, name: str) -> pd.Series:
        self.used.add(name)
        return self.frame[name].astype("str").fillna("")

    def dates(self, name: str, text: pd.Series, formats: tuple[str, ...]) -> pd.Series:
        """A column's values as dates, parsed once however many derivations read them."""
        key = (name, formats)
        if key not in self.parsed:
            self.parsed[key] = dates(text, formats)
        return self.parsed[key]


def map_feed(
    source: pd.DataFrame,
    mapping: FeedMapping,
    definition: SourceDefinition,
    file_name: str,
) -> MappedFeed:
    """Map `source` (text, original column names) onto `mapping.feed`'s columns.

    Raises FeedFileError when a column the feed needs is in neither the file nor a
    derivation's inputs (the whole file cannot be that feed).
    """
    contract = mapping.contract
    columns = _Columns(source)
    problems: list[pd.DataFrame] = []
    out: dict[str, pd.Series] = {}
    found: dict[str, str] = {}
    unmapped: dict[str, dict[str, int]] = {}

    def flag(mask: pd.Series, column: str, reasons: pd.Series | str) -> None:
        if mask.any():
            rows = mask[mask].index
            text = reasons if isinstance(reasons, str) else reasons.loc[rows]
            problems.append(
                pd.DataFrame({"row_index": rows, "column_name": column, "reason": text})
            )

    plan, missing = plan_columns(columns, mapping, file_name)
    if missing:
        raise FeedFileError(
            f"{file_name}: missing column(s) for feed {contract.name} of source"
            f" {definition.name}: {'; '.join(missing)}"
        )
    for name, how in plan.items():
        column = _column(mapping, name)
        if isinstance(how, str):
            out[name] = columns.text(how).str.strip()
            found[name] = how
            continue
        values, bad, reason = _derive(how, column, columns, mapping, definition, file_name)
        out[name] = values
        found[name] = _describe(how)
        flag(bad, name, reason)

    for name, value_map in mapping.values.items():
        if name not in out:
            continue
        column = _column(mapping, name)
        mapped, no_mapping = value_map.apply(out[name], column)
        if no_mapping.any():
            flag(no_mapping, name, _unmapped_reasons(out[name], no_mapping, name, definition))
            unmapped[name] = _counts(out[name][no_mapping], definition.is_personal(name))
        out[name] = mapped

    for column in contract.all_columns:
        if column.name not in out or column.name in mapping.values:
            continue
        values, bad, reason = _reshape(out[column.name], column, mapping, definition)
        out[column.name] = values
        flag(bad, column.name, reason)

    frame = pd.DataFrame(out, index=source.index, dtype="str")
    unused = [c for c in source.columns if c not in columns.used and not c.startswith("_")]
    taken = {c.lower() for c in frame.columns}
    for name in unused:
        extra = name.lower() if name.lower() not in taken else f"source_{name.lower()}"
        frame[extra] = source[name].astype("str")
        taken.add(extra)
    problem_frame = (
        pd.concat(problems, ignore_index=True)
        if problems
        else pd.DataFrame(columns=PROBLEM_COLUMNS)
    )
    return MappedFeed(frame, problem_frame, found, unused, unmapped)


def plan_columns(
    columns: _Columns, mapping: FeedMapping, file_name: str
) -> tuple[dict[str, str | Derivation], list[str]]:
    """Where each feed column comes from: the first alias the file has; else its
    derivation, if the file has an input for it; else a column with the feed column's own
    name (so a SPEC-shaped file loads through any definition). Also the required columns
    found nowhere. A derivation comes before the own name because a partner's column of
    that name can mean something else (a census file's `Term` is the census's term)."""
    plan: dict[str, str | Derivation] = {}
    missing: list[str] = []
    for column in mapping.contract.all_columns:
        name = column.name
        aliases = mapping.columns.get(name, ())
        derivation = mapping.derive.get(name)
        source_name = next(
            (hit for alias in aliases if (hit := columns.find(alias, file_name))), None
        )
        if source_name is not None:
            plan[name] = source_name
        elif derivation is not None and (
            derivation.kind == "value" or any(columns.find(i, file_name) for i in derivation.inputs)
        ):
            plan[name] = derivation
        elif own := columns.find(name, file_name):
            plan[name] = own
        elif column.required:
            missing.append(_wanted(name, aliases, derivation))
    return plan, missing


def missing_columns(source_columns: list[str], mapping: FeedMapping) -> list[str]:
    """The feed columns a file with these column names could not fill (for matching)."""
    frame = pd.DataFrame(columns=source_columns, dtype="str")
    try:
        return plan_columns(_Columns(frame), mapping, "")[1]
    except FeedFileError:
        return ["(two columns with one name)"]


def _column(mapping: FeedMapping, name: str) -> Column:
    return next(c for c in mapping.contract.all_columns if c.name == name)


def _wanted(name: str, aliases: tuple[str, ...], derivation: Derivation | None) -> str:
    options = list(aliases)
    if derivation is not None and derivation.inputs:
        options.append(f"derived from {' or '.join(derivation.inputs)}")
    if name not in aliases:
        options.append(name)
    return f"{name} ({' or '.join(options)})"


def _describe(derivation: Derivation) -> str:
    if derivation.kind == "value":
        return f"value {derivation.value!r}"
    return f"{derivation.kind} {', '.join(derivation.inputs)}"


def _derive(
    derivation: Derivation,
    column: Column,
    columns: _Columns,
    mapping: FeedMapping,
    definition: SourceDefinition,
    file_name: str,
) -> tuple[pd.Series, pd.Series, pd.Series | str]:
    """(values, rows that failed, reason); at least one input is in the file."""
    index = columns.frame.index
    none = pd.Series(False, index=index)
    if derivation.kind == "value":
        return pd.Series(derivation.value, index=index, dtype="str"), none, ""
    present = [hit for name in derivation.inputs if (hit := columns.find(name, file_name))]
    inputs = [columns.text(name).str.strip() for name in present]
    if derivation.kind == "first_of":
        values = inputs[0]
        for later in inputs[1:]:
            values = values.where(values.ne(""), later)
        if derivation.prefix:
            values = (derivation.prefix + values).where(values.ne(""), "")
        return values, none, ""
    if derivation.kind == "join":
        joined = inputs[0]
        for later in inputs[1:]:
            both = joined + derivation.separator + later
            joined = later.where(joined.eq(""), joined.where(later.eq(""), both))
        return joined.astype("str"), none, ""
    text = inputs[0]
    if derivation.kind == "map":
        assert derivation.value_map is not None
        values, bad = derivation.value_map.apply(text, column)
        reasons = _unmapped_reasons(text, bad, column.name, definition, present[0])
        return values, bad, reasons
    if derivation.kind == "divide":
        numbers = pd.to_numeric(text.str.replace(",", "", regex=False), errors="coerce")
        bad = numbers.isna() & text.ne("")
        quotient = (numbers / derivation.by).round(6)
        values = quotient.map(lambda n: "" if pd.isna(n) else f"{n:g}").astype("str")
        return values, bad, f"expected a number in {present[0]} (source {definition.name})"
    parsed = columns.dates(present[0], text, mapping.date_formats or DEFAULT_DATE_FORMATS)
    bad = parsed.isna() & text.ne("")
    reason = f"expected a date in {present[0]} as {_formats(mapping)} (source {definition.name})"
    if derivation.kind == "month_of":
        return parsed.dt.strftime("%Y-%m").fillna("").astype("str"), bad, reason
    year, term = academic_term(parsed, derivation.term_shift)
    return (year if derivation.kind == "academic_year_of" else term), bad, reason


def _reshape(
    text: pd.Series, column: Column, mapping: FeedMapping, definition: SourceDefinition
) -> tuple[pd.Series, pd.Series, str]:
    """Dates, months and academic years in the definition's formats -> the contract's."""
    none = pd.Series(False, index=text.index)
    where = f"(source {definition.name})"
    if column.kind == "date":
        values, bad = iso_dates(text, mapping.date_formats)
        return values, bad, f"expected a date as {_formats(mapping)} {where}"
    if column.kind == "month":
        values, bad = iso_months(text, mapping.month_formats, mapping.date_formats)
        formats = ", ".join(
            {"iso": "YYYY-MM", "uk": "MM/YYYY"}.get(f, readable_format(f))
            for f in mapping.month_formats or ("iso", "uk", "%Y%m", "%b %Y")
        )
        return values, bad, f"expected a month as {formats} {where}"
    if column.kind == "academic_year":
        shaped = academic_years(text)
        bad = shaped.isna() & text.ne("")
        # A value that is no academic year stays as sent: the contract's parser refuses it.
        return shaped.fillna(text).astype("str"), none & bad, ""
    return text, none, ""


def _formats(mapping: FeedMapping) -> str:
    return ", ".join(readable_format(f) for f in mapping.date_formats or DEFAULT_DATE_FORMATS)


FORMAT_WORDS = {"iso": "YYYY-MM-DD", "uk": "DD/MM/YYYY", "excel": "an Excel day number"}
DIRECTIVE_WORDS = {"%d": "DD", "%m": "MM", "%Y": "YYYY", "%y": "YY", "%H": "hh", "%I": "hh"}
DIRECTIVE_WORDS |= {"%M": "mm", "%S": "ss", "%f": "fff", "%p": "AM", "%b": "Mon", "%B": "Month"}


def readable_format(name: str) -> str:
    """`%d/%m/%Y %H:%M` -> `DD/MM/YYYY hh:mm`, as a reason shows it to a data team."""
    if name in FORMAT_WORDS:
        return FORMAT_WORDS[name]
    for directive, word in DIRECTIVE_WORDS.items():
        name = name.replace(directive, word)
    return name


def _unmapped_reasons(
    text: pd.Series,
    mask: pd.Series,
    column: str,
    definition: SourceDefinition,
    source_column: str = "",
) -> pd.Series:
    """`no mapping for 'Burglary' in event_type (source police_records)`; personal values
    (names, dates of birth, identifiers, addresses) are never written."""
    where = f" (from {source_column})" if source_column else ""
    tail = f" in {column}{where} (source {definition.name})"
    if definition.is_personal(column) or (source_column and definition.is_personal(source_column)):
        return pd.Series(f"no mapping for the value{tail}", index=text.index)[mask]
    quoted = text[mask].map(lambda value: "'" + value.replace("'", "''")[:60] + "'")
    return "no mapping for " + quoted + tail


def _counts(values: pd.Series, personal: bool) -> dict[str, int]:
    if personal:
        return {"(personal value)": len(values)}
    return {str(k): int(v) for k, v in values.value_counts().sort_index().items()}

"""Reading a partner file into a table of text: CSV decoding, XLSX sheets, row numbers.

A reader only turns bytes into rows of text with their spreadsheet row numbers; whether
the rows fit a feed is for the loading step (`batch_load.py`) and the contracts. Anything
that stops a whole file is a `FeedFileError` whose message is one line naming the file.
A fault confined to some rows (bytes not valid in the file's character set, a NUL
character, a value longer than any real field, more fields than the header) quarantines
those rows only, so one bad value never stops a file.

How to read is a `ReadOptions` (character set, delimiter, sheet); the defaults detect what
they can, so a later per-partner source definition only has to fill in what it knows.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from data_contracts.text_encoding import (
    BAD_BYTE_MARK,
    BLANK_CHARACTERS,
    DecodedText,
    NotText,
    decode_text,
    escape_bad_bytes,
)

SUPPORTED_SUFFIXES = (".csv", ".xlsx")
RAGGED_COLUMN = "(whole row)"
MAX_FIELD_CHARACTERS = 131_072
"""Longer than any real field (Python's csv module stopped the whole file here before);
such a value is usually a stray quote swallowing many lines, so its row is quarantined."""
NUL_REASON = "contains a NUL character (binary data, not text)"
LONG_REASON = f"value longer than {MAX_FIELD_CHARACTERS} characters"

# Fields as long as a whole file are read, then judged row by row (MAX_FIELD_CHARACTERS);
# 2**31 - 1 is the largest limit every platform's C long accepts.
csv.field_size_limit(2**31 - 1)


class FeedFileError(ValueError):
    """A whole file cannot be loaded; the message is one line naming the file and the fix."""


@dataclass(frozen=True)
class ReadOptions:
    """How to read one partner's files; each default decides from the file itself.

    A SPEC feed folder uses the defaults; a source definition (docs/sources.md) fills in
    what it knows about its partner's files (`source_tables.read_options`)."""

    encoding: str | None = None
    """A Python codec name; None decides per file (`text_encoding.decode_text`)."""
    delimiter: str = ","
    """A CSV's separator; "" takes whichever of , tab | ; splits the header line most."""
    sheet: str | None = None
    """An XLSX sheet name; None takes the first visible sheet."""
    header_row: int = 1
    """The line (or sheet row) holding the column names; title lines above it are not
    read, and rows keep the file's own numbers."""
    other_delimiter: str = "refuse"
    """A header line the delimiter does not split but another does: `refuse` the file
    saying so (a SPEC feed), or `detect` and read it with that one (a partner who changed
    separators is then judged on its columns)."""


def display_name(path: Path | str) -> str:
    """A path as one printable line: bytes that are not UTF-8 (a Windows share's file
    name) as `\\xNN`, control characters escaped, so it can be stored, logged and shown."""
    text = os.fsencode(str(path)).decode("utf-8", errors="backslashreplace")
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


def decode_csv(data: bytes, file_name: str) -> str:
    """A CSV file's text in the character set its bytes show (see `text_encoding`).

    For callers that need the whole text or nothing: bytes not valid in that character
    set refuse the file here, naming the first line that holds them.
    """
    try:
        decoded = decode_text(data)
    except NotText as error:
        raise FeedFileError(f"{file_name}: {error}") from None
    if decoded.damaged:
        mark = BAD_BYTE_MARK.search(decoded.text)
        line = decoded.text.count("\n", 0, mark.start() if mark else 0) + 1
        raise FeedFileError(
            f"{file_name}: line {line} is not valid {decoded.label} text (expected the whole"
            f" file in one character set)"
        )
    return decoded.text


@dataclass(frozen=True)
class FeedTable:
    """A file's rows as text, indexed by spreadsheet row number (the header is row 1).

    `row_problems` holds (row number, column, reason) for rows that cannot be read column
    by column (a field count that does not match the header) or hold a value that is not
    text (bytes invalid in the file's character set, a NUL character, an absurd length):
    such rows are quarantined whole while the rest of the file loads.
    """

    frame: pd.DataFrame
    row_problems: tuple[tuple[int, str, str], ...] = ()
    read_as: str = ""
    """How the file was read (character set and why, or which sheet), for `load_batch`."""

    @property
    def unreadable_rows(self) -> list[int]:
        return sorted({row for row, _, _ in self.row_problems})


@dataclass
class _Records:
    header: list[str]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    read_as: str = ""
    damaged: bool = False


def read_feed_table(
    path: Path, options: ReadOptions | None = None, first_lines: int | None = None
) -> FeedTable:
    """Read one file as text with lower-case column names; refuse what is not a table.

    `first_lines`: read only that many lines of a CSV (`sfp sources check` showing its
    first rows), never the whole file."""
    name = display_name(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise FeedFileError(f"{name}: not a CSV or XLSX file (expected .csv or .xlsx)")
    kind = "csv" if suffix == ".csv" else "xlsx"
    data = head_lines(path, first_lines) if first_lines and kind == "csv" else path.read_bytes()
    return read_table(data, kind, name, options)


def head_lines(path: Path, lines: int) -> bytes:
    """The first `lines` lines of a text file (all of it if shorter), read a block at a
    time: a preview of a 200 MB extract reads kilobytes, not the file."""
    blocks: list[bytes] = []
    seen = 0
    with path.open("rb") as handle:
        while seen < lines:
            block = handle.read(HEAD_BYTES)
            if not block:
                return b"".join(blocks)
            blocks.append(block)
            seen += block.count(b"\n")
    data = b"".join(blocks)
    end = -1
    for _ in range(lines):
        end = data.index(b"\n", end + 1)
    return data[: end + 1]


def read_table(
    data: bytes,
    kind: str,
    name: str,
    options: ReadOptions | None = None,
    keep_case: bool = False,
    header_only: bool = False,
) -> FeedTable:
    """The bytes of one table (`kind` csv or xlsx) read as a `FeedTable`.

    Every table the pipeline reads comes through here (a SPEC file, a source's file, each
    sheet or zipped CSV of a source of several tables), so each gets the same guards.
    `keep_case` keeps column names as written (a source definition names them in any
    case); `header_only` reads the column names and no row (choosing a definition).
    """
    options = options or ReadOptions()
    if not data.strip():
        raise FeedFileError(f"{name}: empty file (expected a header row and data rows)")
    try:
        if kind == "csv" and not header_only:
            decoded = decode_text(data, options.encoding)
            fast = fast_csv_table(name, data, decoded, options, keep_case)
            if fast is not None:
                return fast
            records = _csv_records(data, options, decoded)
        elif kind == "csv":
            records = _csv_records(_head(data), options)
        elif header_only:
            records = _xlsx_header(data, options)
        else:
            records = _xlsx_records(data, options)
    except NotText as error:
        raise FeedFileError(f"{name}: {error}") from None
    except FeedFileError as error:
        raise FeedFileError(f"{name}: {error}") from None
    except Exception as error:  # the readers raise many types for a malformed table
        what = "CSV" if kind == "csv" else "XLSX workbook"
        first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise FeedFileError(f"{name}: unreadable {what} ({first_line})") from None
    return _table(name, records, b"\x00" in data, keep_case, options.header_row)


HEAD_BYTES = 1 << 16
"""Enough of a CSV for its header line (column names only: choosing a definition)."""


def _head(data: bytes) -> bytes:
    """The first lines of a CSV, cut at a line end so no character or field is split."""
    if len(data) < HEAD_BYTES:
        return data
    head = data[:HEAD_BYTES]
    return head[: head.rfind(b"\n") + 1] or head


def _table(
    name: str, records: _Records, check_bytes: bool, keep_case: bool = False, header_row: int = 1
) -> FeedTable:
    header, columns, named = _header(name, records.header, keep_case, header_row)
    problems: list[tuple[int, str, str]] = []
    rows: list[list[str]] = []
    numbers: list[int] = []
    width = len(columns)
    for number, fields in records.rows:
        if len(fields) > named and not any(_clean(f) for f in fields[named:]):
            fields = fields[:named]
        if not named <= len(fields) <= width:
            problems.append(
                (number, RAGGED_COLUMN, f"expected {named} fields, found {len(fields)}")
            )
            fields = fields[:width]
        rows.append(fields + [""] * (width - len(fields)))
        numbers.append(number)
    frame = pd.DataFrame(rows, index=pd.Index(numbers, dtype="int64"), columns=columns, dtype="str")
    return _finish(frame, header, problems, records.damaged, check_bytes, records.read_as)


def _header(
    name: str, cells: list[str], keep_case: bool, header_row: int
) -> tuple[list[str], list[str], int]:
    """The header's names as read, the frame's column names, and how many are named."""
    header = [_clean(cell) if keep_case else _clean(cell).lower() for cell in cells]
    if not header and header_row == 1:
        raise FeedFileError(f"{name}: empty file (expected a header row and data rows)")
    if not any(header):
        raise FeedFileError(f"{name}: no column names in row {header_row} (expected a header row)")
    if any(BAD_BYTE_MARK.search(cell) or "\x00" in cell for cell in header):
        raise FeedFileError(f"{name}: row 1 (the header) is not text (expected column names)")
    # Trailing columns without a name (`,,` after the last name, or formatted blank cells
    # from Excel) are not part of the table; a value under one is kept as an extra column.
    named = max(position for position, cell in enumerate(header) if cell) + 1
    columns = [cell or f"(column {position + 1})" for position, cell in enumerate(header)]
    folded = [c.lower() for c in columns]
    twice = sorted({c for c, f in zip(columns, folded, strict=True) if folded.count(f) > 1})
    if twice:
        raise FeedFileError(f"{name}: column(s) {', '.join(twice)} appear twice")
    return header, columns, named


def _finish(
    frame: pd.DataFrame,
    header: list[str],
    problems: list[tuple[int, str, str]],
    damaged: bool,
    check_bytes: bool,
    read_as: str,
) -> FeedTable:
    """Unnamed columns holding nothing dropped, values that are not text found."""
    unnamed = [
        c
        for position, c in enumerate(frame.columns)
        if not header[position] and not frame[c].str.strip(BLANK_CHARACTERS).ne("").any()
    ]
    frame = frame.drop(columns=unnamed) if unnamed else frame
    frame, found = _unreadable_values(frame, damaged, check_bytes)
    problems.extend(found)
    problems.sort(key=lambda problem: problem[0])
    return FeedTable(frame, tuple(problems), read_as)


def _clean(cell: str) -> str:
    return cell.strip(BLANK_CHARACTERS)


def _unreadable_values(
    frame: pd.DataFrame, damaged: bool, has_nul: bool
) -> tuple[pd.DataFrame, list[tuple[int, str, str]]]:
    """Fields that are not text a contract can judge: quarantine lines, and the frame
    with undecodable bytes shown as `\\xNN` so the raw table can hold them."""
    problems: list[tuple[int, str, str]] = []
    for column in frame.columns:
        values = frame[column]
        checks = [(values.str.len() > MAX_FIELD_CHARACTERS, LONG_REASON)]
        if has_nul:
            checks.append((values.str.contains("\x00", regex=False), NUL_REASON))
        if damaged:
            marked = values.str.contains(BAD_BYTE_MARK.pattern)
            checks.append((marked, _BAD_BYTES_REASON))
            if marked.any():
                frame[column] = values.where(~marked, values[marked].map(escape_bad_bytes))
        for flagged, reason in checks:
            problems.extend((int(row), column, reason) for row in frame.index[flagged.to_numpy()])
    return frame, problems


_BAD_BYTES_REASON = "text not valid in the file's character set (see the batch's read_as)"


def _csv_records(data: bytes, options: ReadOptions, decoded: DecodedText | None = None) -> _Records:
    """Header and (row number, fields) for every record that holds any value."""
    decoded = decoded or decode_text(data, options.encoding)
    delimiter = _delimiter(decoded.text, options)
    reader = csv.reader(io.StringIO(decoded.text, newline=""), delimiter=delimiter, strict=True)
    how = f", {DELIMITER_NAMES[delimiter]}-separated" if delimiter != options.delimiter else ""
    read_as = f"CSV{how}, {decoded.read_as}"
    records = _Records([], read_as=read_as, damaged=decoded.damaged)
    try:
        for number, fields in enumerate(reader, start=1):
            if number == options.header_row:
                if options.other_delimiter == "refuse":
                    _refuse_other_delimiter(fields, delimiter)
                records.header = fields
            elif number > options.header_row and "".join(fields).strip(BLANK_CHARACTERS):
                records.rows.append((number, fields))
    except csv.Error as error:
        raise ValueError(f"{error} at line {reader.line_num}") from None
    return records


DELIMITER_NAMES = {",": "comma", "\t": "tab", "|": "bar", ";": "semicolon"}


def _records_if_strict(text: str) -> int:
    """How many records Python's csv reader finds (-1: it refuses the text); only
    counted, which costs a tenth of reading them into rows."""
    try:
        return sum(1 for _ in csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error:
        return -1


def fast_csv_table(
    name: str, data: bytes, decoded: DecodedText, options: ReadOptions, keep_case: bool
) -> FeedTable | None:
    """A clean file read by pyarrow (a tenth of the csv module's time), or None.

    Clean: valid UTF-8 (a BOM allowed), no NUL byte, the default comma and header line,
    every header cell named, every record as many fields as the header (pyarrow reports
    each other one), and, where the file holds a quote, quoting the csv module accepts
    (strict) making as many records as pyarrow's (pyarrow closes a quote left open at the
    end, and reads on after text that follows a closing quote). Anything else, None:
    the careful reader (`_csv_records`) reads it and reports each fault with its row. A
    clean file gives the very table the careful reader gives: the same text, the same
    record numbers (a quoted newline is inside its record; an empty line is a record
    holding nothing, left out as a blank row by both).
    """
    if (
        options != ReadOptions(sheet=options.sheet)
        or decoded.damaged
        or not decoded.label.startswith("UTF-8")
        or b"\x00" in data
    ):
        return None
    body = data[3:] if decoded.label == "UTF-8 with BOM" else data
    import pyarrow as pa
    import pyarrow.compute as pa_compute
    import pyarrow.csv as pa_csv

    try:
        cells = next(csv.reader(io.StringIO(decoded.text, newline=""), strict=True), [])
        header, columns, named = _header(name, cells, keep_case, options.header_row)
    except (csv.Error, FeedFileError):
        return None  # the careful reader refuses it, in its words
    if named != len(columns) or len(columns) == 1:
        return None  # unnamed trailing columns, or one column (a `;` file): read carefully
    names = [f"c{position}" for position in range(len(columns))]
    ragged: list[object] = []

    def note_ragged(row: object) -> str:
        ragged.append(row)
        return "skip"

    try:
        table = pa_csv.read_csv(
            io.BytesIO(body),
            read_options=pa_csv.ReadOptions(column_names=names),
            parse_options=pa_csv.ParseOptions(
                newlines_in_values=True, ignore_empty_lines=False, invalid_row_handler=note_ragged
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except Exception:  # an unterminated quote, say: the careful reader says where
        return None
    if ragged or any(column.null_count for column in table.columns) or table.num_rows < 1:
        return None
    if b'"' in body and _records_if_strict(decoded.text) != table.num_rows:
        return None  # an unclosed quote at the end, which pyarrow closes silently
    rows = table.slice(1)
    filled = None  # a record holding only blanks is no row (as the careful reader skips it)
    for column in rows.columns:
        present = pa_compute.not_equal(pa_compute.utf8_trim(column, BLANK_CHARACTERS), "")
        filled = present if filled is None else pa_compute.or_(filled, present)
    numbers = np.arange(2, table.num_rows + 1, dtype="int64")
    if filled is not None and not pa_compute.all(filled).as_py():
        kept = filled.to_numpy(zero_copy_only=False)
        rows, numbers = rows.filter(filled), numbers[kept]
    frame = rows.to_pandas()
    frame.columns = columns
    frame.index = pd.Index(numbers, dtype="int64")
    read_as = f"CSV, {decoded.read_as}"
    return _finish(frame, header, [], False, False, read_as)


def _delimiter(text: str, options: ReadOptions) -> str:
    """The options' delimiter, or the one that splits the header line when they say to
    detect it (blank) or to take another that splits a header theirs does not."""
    if options.delimiter and options.other_delimiter == "refuse":
        return options.delimiter
    lines = text.split("\n", options.header_row)
    line = lines[options.header_row - 1] if len(lines) >= options.header_row else ""
    counts = {d: _fields(line, d) for d in DELIMITER_NAMES}
    if options.delimiter and counts[options.delimiter] > 1:
        return options.delimiter
    best = max(DELIMITER_NAMES, key=lambda d: counts[d])  # the first on a tie
    return best if counts[best] > 1 else options.delimiter or ","


def _fields(line: str, delimiter: str) -> int:
    return len(next(csv.reader([line], delimiter=delimiter), []))


def _refuse_other_delimiter(header: list[str], delimiter: str) -> None:
    """A header read as one column that holds `;` or tabs is a file saved with another
    separator (Excel in many European locales writes `;`): say so, not 'missing columns'."""
    if len(header) != 1:
        return
    for other, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "bars")):
        if other != delimiter and header[0].count(other) >= 2:
            raise FeedFileError(
                f"fields separated by {name}, not {delimiter!r} (expected a comma-separated"
                " file: save it again as CSV with commas)"
            )


def _xlsx_records(data: bytes, options: ReadOptions) -> _Records:
    """One sheet, cells as text (an Excel date cell as ISO, midnight dropped).

    The sheet named in the options, else the first visible one: a workbook's first sheet
    is often a hidden lookup list, and reading it would refuse or mis-load the file.
    """
    sheet_name, read_as = _choose_sheet(data, options.sheet)
    sheet = pd.read_excel(
        io.BytesIO(data), sheet_name=sheet_name, header=None, dtype=str, engine="openpyxl"
    )
    sheet = sheet.fillna("")
    records = _Records([], read_as=read_as)
    first = options.header_row
    if len(sheet) < first:
        return records
    records.header = [str(cell) for cell in sheet.iloc[first - 1]]
    for offset, values in enumerate(sheet.iloc[first:].itertuples(index=False), start=first + 1):
        fields = [str(value) for value in values]
        if any(_clean(value) for value in fields):
            records.rows.append((offset, fields))
    return records


def _xlsx_header(data: bytes, options: ReadOptions) -> _Records:
    """Only the header row of the sheet `_xlsx_records` would read, without the rest."""
    from openpyxl import load_workbook

    sheet_name, read_as = _choose_sheet(data, options.sheet)
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    try:
        rows = list(
            workbook[sheet_name].iter_rows(
                min_row=options.header_row, max_row=options.header_row, values_only=True
            )
        )
    finally:
        workbook.close()
    header = ["" if value is None else str(value) for value in rows[0]] if rows else []
    return _Records(header, read_as=read_as)


def sheet_states(data: bytes) -> list[tuple[str, str]]:
    """(title, visible / hidden / veryHidden) for each sheet of a workbook, in order."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True)
    try:
        return [(sheet.title, sheet.sheet_state) for sheet in workbook.worksheets]
    finally:
        workbook.close()


def _choose_sheet(data: bytes, wanted: str | None) -> tuple[str, str]:
    states = sheet_states(data)
    titles = [title for title, _ in states]
    if wanted is not None:
        if wanted not in titles:
            raise FeedFileError(
                f"no sheet named {wanted!r} (the workbook has {len(titles)} sheets)"
            )
        hidden = "; a hidden sheet" if dict(states)[wanted] != "visible" else ""
        return wanted, f"XLSX, sheet {wanted!r} (as configured{hidden})"
    visible = [title for title, state in states if state == "visible"]
    if not visible:
        raise FeedFileError("every sheet is hidden (expected a visible sheet of data)")
    first, before = visible[0], titles.index(visible[0])
    skipped = f"; {before} hidden sheet{'s' if before > 1 else ''} before it skipped"
    return first, f"XLSX, sheet {first!r} (the first visible sheet{skipped if before else ''})"


def read_feed_file(path: Path, options: ReadOptions | None = None) -> pd.DataFrame:
    """The readable rows of one file (see `read_feed_table`)."""
    return read_feed_table(path, options).frame

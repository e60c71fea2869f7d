"""The deterministic xlsx writer every workbook of the pipeline goes through.

It sits in the bottom layer so that matching (the clerical review workbook) and claims
(the claim return) share it without matching importing claims. Two saves of the same
content give the same bytes: document properties are pinned to a given moment and the zip
is rewritten with fixed entry times (KNOWN_GROUND, openpyxl). Text that a spreadsheet would
run as a formula is written as text.

What an analyst or a finance officer gets on every sheet: a bold header in row 1, frozen,
with an autofilter over the table; numbers as numbers; dates as real dates shown
`yyyy-mm-dd`; columns as wide as their content (up to `MAX_WIDTH` characters, longer text
wraps); every cell top-aligned so a wrapped row still reads across. The sheet's declared
range (`<dimension>`) covers every row, so readers that trust it (openpyxl's read-only
mode, and the tools built on it) see the whole table.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from xml.sax.saxutils import escape as xml_escape

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
ZIP_LEVEL = 3
"""Deflate level: at 50,000 households 0.7 s and 5.0 MB against zlib's default (6) 1.7 s
and 4.3 MB; the time matters more in a claim run than the megabyte."""
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
MAX_WIDTH = 60
"""Characters a column may take; a column with longer text wraps at this width."""
MIN_WIDTH = 8
HEADER_EXTRA = 4
"""Room beside a header for its bold face and the autofilter's drop-down button."""
MAX_CELL_TEXT = 32_767
"""Excel's limit on one cell's text; a longer value would make the file unreadable."""
MAX_ROWS = 1_048_576
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 cannot carry (openpyxl's ILLEGAL_CHARACTERS_RE and U+FFFE, U+FFFF,
lone surrogates): one of them in a cell makes the whole file unreadable, so they go."""
CARRIAGE_RETURN = {"\r": "&#13;"}
"""A bare CR in XML text reads back as LF; as a character reference it stays a CR."""
EXCEL_EPOCH = np.datetime64("1899-12-30", "us")
FIRST_SERIAL_DAY = 61
"""1900-03-01: Excel counts a 29 February 1900 that never was, so serials before it are
taken from openpyxl's own conversion; dates before 1900 are written as text."""


MONEY_FORMAT = '"£"#,##0.00'
"""Pounds with thousands separators and pence: 4000 shows as £4,000.00."""
COUNT_FORMAT = "#,##0"
PERCENT_FORMAT = "0.0%"
"""A share stored as a fraction (0.125) shows as 12.5%."""
UK_DATE_FORMAT = "dd/mm/yyyy"
UK_DATETIME_FORMAT = "dd/mm/yyyy hh:mm:ss"


@dataclass(frozen=True)
class SheetLayout:
    """How a sheet is shown and printed, beyond the defaults every sheet gets.

    `headings` gives a column a heading to show in place of its name: the header cell keeps
    the name as its value (what tools, pandas and openpyxl read) and a number format whose
    text section is the heading makes Excel and LibreOffice show and print the heading.
    `formats` gives a whole column a number format; `cell_formats` one per row (a
    two-column item/value sheet whose values differ in kind); `dates` the format of every
    date in the sheet. `printable` sets landscape A4, one page wide, header row repeated.
    """

    headings: Mapping[str, str] = field(default_factory=dict)
    formats: Mapping[str, str] = field(default_factory=dict)
    cell_formats: Mapping[str, Sequence[str | None]] = field(default_factory=dict)
    dates: tuple[str, str] = (DATE_FORMAT, DATETIME_FORMAT)
    autofilter: bool = True
    printable: bool = False

    def number_formats(self) -> set[str]:
        cells = {code for codes in self.cell_formats.values() for code in codes if code}
        return {*self.formats.values(), *cells, *self.dates}


@dataclass(frozen=True)
class CellStyles:
    """The cell formats (xf ids) the data rows use, registered once per workbook."""

    text: int
    quoted: int
    wrapped: int
    quoted_wrapped: int
    number: int
    date: int
    datetime: int
    formats: Mapping[str, int] = field(default_factory=dict)
    """Further number formats a layout asks for, by format code."""

    def with_number(self, code: str | None) -> CellStyles:
        return self if code is None else replace(self, number=self.formats[code])

    def with_dates(self, codes: tuple[str, str]) -> CellStyles:
        if codes == (DATE_FORMAT, DATETIME_FORMAT):
            return self
        return replace(self, date=self.formats[codes[0]], datetime=self.formats[codes[1]])


@dataclass(frozen=True)
class Column:
    """One column's cells as sheet XML (each after its `<c r="..."`), and its text width."""

    cells: list[str]
    width: int


class _Text(str):
    """Text whose cell style waits for the column's width (wrapped or not)."""


def _register_styles(sheet: Worksheet, extra_formats: Sequence[str] = ()) -> CellStyles:
    """Register every data-cell format in the workbook's styles, used or not.

    Throwaway cells register them and are removed again, so styles.xml is the same
    whatever the content holds (the same bytes either way). `extra_formats` (the layouts'
    number formats, in a fixed order) come after the defaults, so a workbook without
    layouts keeps the styles it always had.
    """
    top = Alignment(vertical="top")
    wrap = Alignment(vertical="top", wrap_text=True)
    formats: list[dict[str, object]] = [
        {"alignment": top},
        {"alignment": top, "quotePrefix": True},
        {"alignment": wrap},
        {"alignment": wrap, "quotePrefix": True},
        {"alignment": top, "number_format": "General"},
        {"alignment": top, "number_format": DATE_FORMAT},
        {"alignment": top, "number_format": DATETIME_FORMAT},
        *({"alignment": top, "number_format": code} for code in extra_formats),
    ]
    ids = []
    for attributes in formats:
        cell = sheet.cell(row=2, column=1)
        for name, value in attributes.items():
            setattr(cell, name, value)
        ids.append(int(cell.style_id))
        del sheet._cells[(2, 1)]
    base = len(formats) - len(extra_formats)
    text, quoted, wrapped, quoted_wrapped, number, day, moment = ids[:base]
    extra = dict(zip(extra_formats, ids[base:], strict=True))
    return CellStyles(text, quoted, wrapped, quoted_wrapped, number, day, moment, extra)


def _clean_text(value: str) -> str:
    text = NOT_XML.sub("", value)
    if len(text) > MAX_CELL_TEXT:
        note = f" [cut at Excel's cell limit: {len(text)} characters in all]"
        text = text[: MAX_CELL_TEXT - len(note)] + note
    return text


PRESERVE = ' xml:space="preserve"'


def _text_xml(text: str, style: int) -> str:
    space = PRESERVE if text[0].isspace() or text[-1].isspace() else ""
    return f' s="{style}" t="inlineStr"><is><t{space}>{_xml_text(text)}</t></is></c>'


def _xml_text(text: str) -> str:
    return xml_escape(text, CARRIAGE_RETURN)


def _number_xml(text: str, style: int) -> str:
    return f' s="{style}" t="n"><v>{text}</v></c>'


def _float_text(value: float) -> str | None:
    """The shortest text that reads back as the same float; None for NaN or infinity."""
    if math.isnan(value) or math.isinf(value):
        return None
    if abs(value) >= 1e15 or value != int(value):
        return repr(value)
    return str(int(value))


def _date_serial(value: date) -> tuple[str, int] | None:
    """Excel's serial day number of a date or moment, and the format's width (10 or 19)."""
    if value.year < 1900:
        return None
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.replace(tzinfo=None)
    days = float(to_excel(value))
    return (str(int(days)), 10) if days == int(days) else (repr(days), 19)


Item = _Text | tuple[str, int] | None
"""A mixed column's value: text (styled once the column's width is known), or a number's
or date's final cell XML with the characters it shows."""


def _text_item(value: str) -> _Text | None:
    text = _clean_text(value)
    return _Text(text) if text else None


def _scalar_item(value: object, styles: CellStyles) -> Item:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, str):
        return _text_item(value)
    if isinstance(value, bool | np.bool_):
        return _Text("yes" if value else "no")
    if isinstance(value, date):  # datetime and pd.Timestamp too
        serial = _date_serial(value)
        if serial is None:
            return _Text(value.isoformat())
        text, shown = serial
        return _number_xml(text, styles.date if shown == 10 else styles.datetime), shown
    if isinstance(value, int | np.integer):
        text = str(int(value))
        return _number_xml(text, styles.number), len(text)
    if isinstance(value, float | np.floating):
        number = _float_text(float(value))
        if number is None:
            return None if math.isnan(value) else _Text(str(value))
        return _number_xml(number, styles.number), len(number)
    if isinstance(value, list | tuple | np.ndarray):
        joined = "; ".join(str(v) for v in value)
        return _text_item(joined)
    return _text_item(str(value))


def _mixed_column(
    values: list[object], styles: CellStyles, formats: Sequence[str | None] | None = None
) -> Column:
    """Text, numbers and dates in any mix; text wraps when the column is too wide.

    `formats`, one per value, gives that row's number its own format (money, a share)."""
    per_row = formats if formats is not None else [None] * len(values)
    items = [
        _scalar_item(value, styles.with_number(code))
        for value, code in zip(values, per_row, strict=True)
    ]
    width = max(
        (len(item) if isinstance(item, _Text) else item[1] for item in items if item is not None),
        default=0,
    )
    plain, quoted = (
        (styles.wrapped, styles.quoted_wrapped)
        if width > MAX_WIDTH
        else (styles.text, styles.quoted)
    )
    cells = [
        ""
        if item is None
        else _text_xml(item, quoted if item.startswith(FORMULA_TRIGGERS) else plain)
        if isinstance(item, _Text)
        else item[0]
        for item in items
    ]
    return Column(cells, width)


def _text_column(series: pd.Series, styles: CellStyles) -> Column:
    """A column of text (the common case), checked a column at a time, not a cell.

    Illegal characters and XML escapes are looked for once in the whole column; only a
    column that has them pays for cleaning or escaping each cell.
    """
    texts: list[str] = series.fillna("").tolist()
    joined = "\n".join(texts)
    width = max(map(len, texts), default=0)
    if width > MAX_CELL_TEXT or NOT_XML.search(joined):
        texts = [_clean_text(text) for text in texts]
        width = max(map(len, texts), default=0)
    escaped = texts
    if "&" in joined or "<" in joined or ">" in joined or "\r" in joined:
        escaped = [_xml_text(text) for text in texts]
    plain, quoted = (
        (styles.wrapped, styles.quoted_wrapped)
        if width > MAX_WIDTH
        else (styles.text, styles.quoted)
    )
    cells = [
        f' s="{quoted if text.startswith(FORMULA_TRIGGERS) else plain}" t="inlineStr"><is>'
        f"<t{PRESERVE if text[0].isspace() or text[-1].isspace() else ''}>{xml}</t></is></c>"
        if text
        else ""
        for text, xml in zip(texts, escaped, strict=True)
    ]
    return Column(cells, width)


def _number_column(series: pd.Series, styles: CellStyles) -> Column:
    if series.dtype.kind in "iu" and not series.hasnans:
        texts: list[str | None] = [str(value) for value in series.to_numpy().tolist()]
    else:
        values = series.to_numpy(dtype="float64", na_value=np.nan)
        if np.isinf(values).any():  # no number for infinity in a cell: written as text
            return _mixed_column(series.tolist(), styles)
        texts = [None if value != value else _float_text(value) for value in values.tolist()]
    cells = ["" if text is None else _number_xml(text, styles.number) for text in texts]
    return Column(cells, max((len(text) for text in texts if text), default=0))


def _date_column(series: pd.Series, styles: CellStyles) -> Column:
    """Serial day numbers for a whole datetime64 column at once (the fast path)."""
    if getattr(series.dtype, "tz", None) is not None:
        series = series.dt.tz_localize(None)
    moments = series.to_numpy(dtype="datetime64[us]")
    missing = np.isnat(moments)
    serials = (moments - EXCEL_EPOCH) / np.timedelta64(1, "D")
    if (serials[~missing] < FIRST_SERIAL_DAY).any():
        return _mixed_column(series.tolist(), styles)
    timed = bool((serials[~missing] % 1 != 0).any())
    style = styles.datetime if timed else styles.date
    cells = [
        "" if gap else _number_xml(repr(serial) if timed else str(int(serial)), style)
        for gap, serial in zip(missing.tolist(), serials.tolist(), strict=True)
    ]
    return Column(cells, 19 if timed else 10)


def _column(
    series: pd.Series, styles: CellStyles, formats: Sequence[str | None] | None = None
) -> Column:
    if formats is not None:
        return _mixed_column(series.tolist(), styles, formats)
    kind = series.dtype.kind
    if kind in "iuf":
        return _number_column(series, styles)
    if kind == "M":
        return _date_column(series, styles)
    if isinstance(series.dtype, pd.StringDtype):
        return _text_column(series, styles)
    return _mixed_column(series.tolist(), styles)


def _rows_xml(
    frame: pd.DataFrame, styles: CellStyles, layout: SheetLayout | None = None
) -> tuple[str, str, list[int]]:
    """Data rows (from row 2) as sheet XML, the sheet's range, and each column's width.

    Rows are written here, a column at a time, rather than cell by cell through openpyxl's
    object model: the same XML openpyxl writes, many times faster, which keeps a
    300,000-household claim under a minute (bench/bench_pipeline.py). The tests read every
    kind of value back with openpyxl (read-only and full) and pandas.
    """
    if len(frame) + 1 > MAX_ROWS:
        raise ValueError(f"{len(frame)} rows do not fit in one sheet (Excel's limit: {MAX_ROWS})")
    letters = [get_column_letter(index) for index in range(1, len(frame.columns) + 1)]
    layout = layout or SheetLayout()
    sheet_styles = styles.with_dates(layout.dates)
    columns = [
        _column(
            frame.iloc[:, index],
            sheet_styles.with_number(layout.formats.get(str(name))),
            layout.cell_formats.get(str(name)),
        )
        for index, name in enumerate(frame.columns)
    ]
    placed = [
        [
            f'<c r="{letter}{number}"{cell}' if cell else ""
            for number, cell in enumerate(column.cells, start=2)
        ]
        for letter, column in zip(letters, columns, strict=True)
    ]
    rows = "".join(
        f'<row r="{number}">{"".join(cells)}</row>'
        for number, cells in enumerate(zip(*placed, strict=True), start=2)
    )
    last = f"{letters[-1] if letters else 'A'}{len(frame) + 1}"
    return rows, f"A1:{last}", [column.width for column in columns]


def heading_format(heading: str) -> str:
    """A number format that shows `heading` in place of a text cell's value."""
    shown = NOT_XML.sub("", heading).replace('"', "'")
    return f';;;"{shown}"'


def _write_header(
    sheet: Worksheet,
    frame: pd.DataFrame,
    widths: list[int],
    area: str,
    layout: SheetLayout | None = None,
) -> None:
    """Row 1 bold and frozen, an autofilter over the table, each column fitted."""
    layout = layout or SheetLayout()
    bold = Font(bold=True)
    for index, name in enumerate(frame.columns, start=1):
        text = NOT_XML.sub("", str(name))
        cell = sheet.cell(row=1, column=index, value=text)
        cell.font = bold
        if text.startswith(FORMULA_TRIGGERS):
            cell.data_type = "s"
            cell.quotePrefix = True
        heading = layout.headings.get(str(name))
        if heading:
            cell.number_format = heading_format(heading)
        shown = max(len(text), len(heading or ""))
        width = max(shown + HEADER_EXTRA, widths[index - 1] + 2, MIN_WIDTH)
        sheet.column_dimensions[cell.column_letter].width = min(width, MAX_WIDTH)
    sheet.freeze_panes = "A2"
    if len(frame.columns) and layout.autofilter:
        sheet.auto_filter.ref = area
    if layout.printable:
        _print_setup(sheet)


def _print_setup(sheet: Worksheet) -> None:
    """Landscape A4, every column on one page's width, the header row on every page."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_title_rows = "1:1"


def render_sheets(
    sheets: Sequence[tuple[str, pd.DataFrame]],
    moment: datetime,
    layouts: Mapping[str, SheetLayout] | None = None,
) -> bytes:
    """One table per sheet, header in row 1, saved with properties pinned to `moment`.

    Every workbook the pipeline writes (the claim return, the clerical review) goes through
    here, so all of them get the same formula-safe cells and byte-identical saves.
    openpyxl writes the workbook and each sheet's header, widths, filter and frozen pane;
    the data rows are then placed in each sheet's XML. `layouts`, by sheet title, give a
    sheet headings, number formats and print settings (SheetLayout).
    """
    layouts = layouts or {}
    workbook = Workbook()
    first = workbook.active
    assert first is not None
    extra = sorted(set().union(*(layout.number_formats() for layout in layouts.values())))
    extra = [code for code in extra if code not in (DATE_FORMAT, DATETIME_FORMAT)]
    styles = _register_styles(first, extra)
    styles = replace(
        styles,
        formats={**styles.formats, DATE_FORMAT: styles.date, DATETIME_FORMAT: styles.datetime},
    )
    rows: dict[str, tuple[str, str]] = {}
    for index, (title, frame) in enumerate(sheets):
        sheet = first if index == 0 else workbook.create_sheet(title)
        sheet.title = title
        layout = layouts.get(title)
        body, area, widths = _rows_xml(frame, styles, layout)
        _write_header(sheet, frame, widths, area, layout)
        rows[f"xl/worksheets/sheet{index + 1}.xml"] = (body, area)
    workbook.properties.creator = "Supporting Families pipeline"
    workbook.properties.created = moment
    workbook.properties.modified = moment
    workbook.properties.lastModifiedBy = None
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _pinned(buffer.getvalue(), moment, rows)


MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")
DIMENSION = re.compile(rb'<dimension ref="[^"]*"\s*/>')
"""openpyxl writes `<dimension ref="A1:G1" />` (a space before `/>`): both forms match."""


def _substitute_once(pattern: re.Pattern[bytes], new: bytes, content: bytes, what: str) -> bytes:
    replaced, count = pattern.subn(new.replace(b"\\", b"\\\\"), content, 1)
    if count != 1:
        # A change in openpyxl's output must fail here, not give a sheet readers see empty.
        raise RuntimeError(f"xlsx writer: no {what} found to replace in openpyxl's output")
    return replaced


def _pinned(data: bytes, moment: datetime, rows: dict[str, tuple[str, str]]) -> bytes:
    """Rewrite the zip in the same order with fixed entry times (KNOWN_GROUND, openpyxl).

    openpyxl stamps `modified` with the time of saving whatever the properties say, so the
    core properties are pinned here, in the bytes. Each sheet's data rows and its full
    range go in here too.
    """
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = MODIFIED.sub(rb"\g<1>" + stamp + rb"\g<2>", content)
            if info.filename in rows:
                body, area = rows[info.filename]
                dimension = f'<dimension ref="{area}"/>'.encode()
                content = _substitute_once(DIMENSION, dimension, content, "<dimension>")
                if b"</sheetData>" not in content:
                    raise RuntimeError("xlsx writer: no </sheetData> in openpyxl's output")
                content = content.replace(b"</sheetData>", body.encode() + b"</sheetData>", 1)
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, content, compresslevel=ZIP_LEVEL)
    return out.getvalue()

"""Which character set a CSV file is in, decided per file from the evidence in its bytes.

Partner systems export UTF-8 (with or without BOM), Windows-1252, and from older Macs Mac
Roman; a file appended to by two systems can be UTF-8 with one Windows-1252 row. Decoding
with the first codec that does not fail garbles such files silently (Mac Roman bytes are
nearly all defined in Windows-1252, and one bad row made a whole UTF-8 file read as
Windows-1252). So the decision uses the whole file:

- valid UTF-8 throughout: UTF-8;
- any well-formed multi-byte UTF-8 character: UTF-8, and the bytes that are not valid
  UTF-8 mark their rows as undecodable (quarantined, the rest loads);
- otherwise a single-byte file: each candidate (Windows-1252, Mac Roman) is scored on
  how plausible its non-ASCII characters are (a letter that fits the case of its word, an
  apostrophe between letters, a quote before a word, a pound sign before a number); the
  higher score wins, Windows-1252 on a tie (SPEC section 1 names it), and a file whose
  best reading is still mostly implausible is refused.

Bytes a chosen codec cannot decode are kept as marker characters (`BAD_BYTE_MARK`) so the
reader can quarantine exactly the fields that hold them and show them escaped in the raw
table; nothing here ever prints a value.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass


class NotText(ValueError):
    """The bytes are not text in any character set a partner file may use (one line)."""


UNKNOWN_ENCODING = "unknown text encoding (expected UTF-8, Windows-1252 or Mac Roman)"
BINARY_SHARE = 0.01
"""More NUL bytes than this share of the file: UTF-16 or binary, not a CSV with one bad field."""

BLANK_CHARACTERS = (
    " \t\r\n\x0b\x0c\x1c\x1d\x1e\x1f\x85\u00a0\u1680\u2000\u2001\u2002\u2003\u2004"
    "\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
    "\u00ad\u180e\u200b\u200c\u200d\u200e\u200f\u2060\ufeff"
)
"""White space and the invisible characters (zero-width space and joiners, word joiner,
byte order mark, soft hyphen, direction marks) that make a value look present in a
spreadsheet cell when it holds nothing: trimmed from every value and column name."""

_MARK_BASE = 0xF700
"""Undecodable byte b becomes chr(_MARK_BASE + b), a private-use character no partner sends."""
BAD_BYTE_MARK = re.compile("[\uf780-\uf7ff]")

_BINARY_SIGNATURES = {
    b"PK\x03\x04": "a workbook or zip file with a .csv name (expected CSV text; save it as .xlsx)",
    b"\xd0\xcf\x11\xe0": "an old .xls workbook with a .csv name (expected CSV text or .xlsx)",
    b"%PDF": "a PDF with a .csv name (expected CSV text)",
}
_WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")

SINGLE_BYTE = (("cp1252", "Windows-1252"), ("mac_roman", "Mac Roman"))
"""Single-byte candidates in order of preference on a tie."""


def _mark_bad_bytes(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start : error.end]
    return "".join(chr(_MARK_BASE + byte) for byte in bad), error.end


codecs.register_error("sfp-mark-bad-bytes", _mark_bad_bytes)


@dataclass(frozen=True)
class DecodedText:
    """A file's text, the character set it was read in, and why that one."""

    text: str
    label: str
    evidence: str = ""
    damaged: bool = False
    """Some bytes were not valid in `label`: their fields carry `BAD_BYTE_MARK` characters."""

    @property
    def read_as(self) -> str:
        return f"{self.label} ({self.evidence})" if self.evidence else self.label


def escape_bad_bytes(text: str) -> str:
    """A marked field as it can be stored and shown: each undecodable byte as `\\xNN`."""
    return BAD_BYTE_MARK.sub(lambda m: f"\\x{ord(m.group()) - _MARK_BASE:02x}", text)


def decode_text(data: bytes, encoding: str | None = None) -> DecodedText:
    """Decode a CSV file's bytes; bytes that are not text at all raise `NotText`."""
    if encoding:
        # A character set a source definition names is trusted (it may be UTF-16, whose
        # NUL bytes would otherwise refuse the file); only a workbook or PDF is refused.
        _refuse_binary(data, signatures_only=True)
        text = data.decode(encoding, errors="sfp-mark-bad-bytes")
        return DecodedText(text, encoding, "as configured", bool(BAD_BYTE_MARK.search(text)))
    _refuse_binary(data)
    bom = data.startswith(codecs.BOM_UTF8)
    body = data[3:] if bom else data
    label = "UTF-8 with BOM" if bom else "UTF-8"
    try:
        return DecodedText(body.decode("utf-8"), label)
    except UnicodeDecodeError:
        pass
    text = body.decode("utf-8", errors="sfp-mark-bad-bytes")
    valid = sum(1 for _ in _NON_ASCII.finditer(BAD_BYTE_MARK.sub("", text)))
    if valid or bom:
        bad = len(BAD_BYTE_MARK.findall(text))
        evidence = (
            f"{valid} non-ASCII characters valid as UTF-8, {bad} bytes not: their rows quarantined"
        )
        return DecodedText(text, label, evidence, damaged=True)
    return _single_byte(data)


def _refuse_binary(data: bytes, signatures_only: bool = False) -> None:
    for signature, what in _BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise NotText(what)
    if signatures_only:
        return
    if data.startswith(_WIDE_BOMS) or data.count(b"\x00") > BINARY_SHARE * len(data):
        raise NotText(UNKNOWN_ENCODING)


def _single_byte(data: bytes) -> DecodedText:
    readings = []
    for codec, label in SINGLE_BYTE:
        text = data.decode(codec, errors="sfp-mark-bad-bytes")
        readings.append((plausibility(text), label, text))
    best = max(readings, key=lambda reading: reading[0].score)  # the first on a tie
    judged, label, text = best
    if judged.plausible < PLAUSIBLE_SHARE * judged.judged:
        raise NotText(UNKNOWN_ENCODING)
    others = "; ".join(
        f"as {other}: {score.plausible}" for score, other, _ in readings if other != label
    )
    evidence = f"{judged.plausible} of {judged.judged} non-ASCII characters plausible ({others})"
    return DecodedText(text, label, evidence, bool(BAD_BYTE_MARK.search(text)))


PLAUSIBLE_SHARE = 0.8
"""A single-byte reading with fewer plausible non-ASCII characters than this is refused:
the file is in some other character set (KOI8-R, Shift-JIS, ...) and would load garbled."""


_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_JUDGED = re.compile(r"[^\W\d_]*[^\x00-\x7f\W\d_][^\W\d_]*|[^\x00-\x7f]")
"""A run of letters holding a non-ASCII letter (judged as a word), or one other non-ASCII
character (judged by its neighbours)."""

_APOSTROPHES = "\u2019\u00b4`"
_OPENING = "\u2018\u201c\u201e\u00ab"
_CLOSING = "\u201d\u00bb"
_BETWEEN_WORDS = "\u2013\u2014\u2026\u2022\u00b7\u00a9\u00ae\u2122\u00a7\u00b6"
_CURRENCY = "\u00a3\u20ac\u00a5"
_AFTER_DIGITS = "\u00b0\u00ba\u00aa"
_NEAR_DIGITS = "\u00b1\u00d7\u00f7\u00bd\u00bc\u00be\u00b2\u00b3"
_SPACES = "\u00a0\u00ad"


@dataclass(frozen=True)
class Plausibility:
    plausible: int
    judged: int
    score: int
    """Plausible characters count 2 (1 for letters outside Latin-1, such as the Š, œ or Ÿ
    that Mac Roman accents become in Windows-1252), implausible ones -2."""


def plausibility(text: str) -> Plausibility:
    """How many non-ASCII characters read as real text, and a score to compare readings.

    A non-ASCII letter is plausible when its word is lower case, upper case or
    capitalised ("Zoë", "ZOË"), not when the case breaks mid-word ("ZoË", "OÕNeill", which
    is how the wrong single-byte codec reads an accented letter or an apostrophe). Other
    characters are plausible in their typographic places only.
    """
    plausible = judged = score = 0
    for match in _JUDGED.finditer(text):
        found = match.group()
        if len(found) > 1 or found.isalpha():
            letters = [c for c in found if ord(c) > 0x7F]
            judged += len(letters)
            if _word_shape_ok(found):
                plausible += len(letters)
                score += sum(2 if c in _LATIN_1_LETTERS else 1 for c in letters)
            else:
                score -= 2 * len(letters)
            continue
        judged += 1
        start = match.start()
        before = text[start - 1] if start else " "
        after = text[start + 1] if start + 1 < len(text) else " "
        if _symbol_ok(found, before, after):
            plausible += 1
            score += 2
        else:
            score -= 2
    return Plausibility(plausible, judged, score)


_LATIN_1_LETTERS = frozenset(chr(c) for c in range(0xC0, 0x100)) - {"\u00d7", "\u00f7"}


def _word_shape_ok(word: str) -> bool:
    return word.islower() or word.isupper() or (word[0].isupper() and word[1:].islower())


def _symbol_ok(symbol: str, before: str, after: str) -> bool:
    inside_word = before.isalpha() and after.isalpha()
    if symbol in _APOSTROPHES:
        return before.isalnum() or not after.isalnum()
    if symbol in _OPENING:
        return not before.isalnum()
    if symbol in _CLOSING:
        return not after.isalnum()
    if symbol in _BETWEEN_WORDS:
        return not inside_word
    if symbol in _CURRENCY:
        return after.isdigit() or after.isspace() or not after.isalnum()
    if symbol in _AFTER_DIGITS:
        return before.isdigit()
    if symbol in _NEAR_DIGITS:
        return before.isdigit() or after.isdigit()
    return symbol in _SPACES

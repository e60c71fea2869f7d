"""The character set of a CSV file, decided per file from the evidence in its bytes.

The names are the accented and apostrophe names partner extracts carry (the sample's
ACCENTED_FORENAMES and ACCENTED_SURNAMES and more): each written by a Windows system
(Windows-1252) and by an older Mac (Mac Roman) must read back exactly as written.
"""

from __future__ import annotations

import pytest

from data_contracts.feed_reader import FeedFileError, decode_csv
from data_contracts.text_encoding import NotText, decode_text

NAMES = (
    "Zoë", "Chloë", "Renée", "José", "Siân", "Seán", "Noël", "Anaïs", "D’Souza",
    "O’Connor", "Müller", "Núñez", "Brontë", "Ó Súilleabháin", "Søren", "Françoise",
    "Björk", "JOSÉ", "O´Brien", "£350",
)  # fmt: skip


def _file(name: str, encoding: str) -> bytes:
    return f"id,forename\r\nx,Amy\r\ny,{name}\r\n".encode(encoding)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(
    ("encoding", "label"), [("cp1252", "Windows-1252"), ("mac_roman", "Mac Roman")]
)
def test_a_single_byte_file_reads_back_as_written(name: str, encoding: str, label: str) -> None:
    decoded = decode_text(_file(name, encoding))
    assert decoded.text.endswith(f"y,{name}\r\n")
    # £ is the same byte in both: a tie goes to Windows-1252, which reads it right too.
    assert decoded.label == label or name == "£350"
    assert not decoded.damaged


def test_utf8_stays_utf8_and_marks_only_the_bytes_that_are_not() -> None:
    data = _file("Zoë", "utf-8") + "z,Renée\r\n".encode("cp1252")
    decoded = decode_text(data)
    assert decoded.label == "UTF-8" and decoded.damaged
    assert "y,Zoë\r\n" in decoded.text
    assert decoded.evidence == (
        "1 non-ASCII characters valid as UTF-8, 1 bytes not: their rows quarantined"
    )


def test_a_bom_says_utf8_whatever_follows() -> None:
    decoded = decode_text(b"\xef\xbb\xbf" + b"id\r\nRen" + b"\xe9e\r\n")
    assert decoded.label == "UTF-8 with BOM" and decoded.damaged


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("id,forename\r\nx,Пётр Сергеевич\r\n", "koi8-r"),
        ("id,forename\r\nx,山田太郎\r\n", "shift_jis"),
        ("id,forename\r\nx,Amy\r\n", "utf-16"),
        ("id,forename\r\nx,Amy\r\n", "utf-32"),
    ],
)
def test_text_in_no_charset_a_partner_uses_is_refused(text: str, encoding: str) -> None:
    with pytest.raises(NotText, match="unknown text encoding"):
        decode_text(text.encode(encoding))


def test_a_workbook_saved_as_csv_is_named_as_such() -> None:
    with pytest.raises(NotText, match="a workbook or zip file with a .csv name"):
        decode_text(b"PK\x03\x04" + bytes(100))


def test_a_configured_charset_is_used_as_given() -> None:
    decoded = decode_text("id\r\nŁukasz\r\n".encode("cp1250"), "cp1250")
    assert decoded.text == "id\r\nŁukasz\r\n" and decoded.read_as == "cp1250 (as configured)"


def test_whole_text_callers_get_the_line_that_is_not_text() -> None:
    data = _file("Zoë", "utf-8") + "z,Renée\r\n".encode("cp1252")
    with pytest.raises(FeedFileError, match=r"^f.csv: line 4 is not valid UTF-8 text"):
        decode_csv(data, "f.csv")
    assert decode_csv(_file("Zoë", "mac_roman"), "f.csv").endswith("y,Zoë\r\n")

"""The address parser (matching/address.py): one address, every way a system writes it.

Each form of one address must give the same house, flat, street and locality; the values
are written out, so a parser that drops a word, keeps a comma's position or takes the
postcode for a locality fails here.
"""

from __future__ import annotations

import pandas as pd
import pytest

from matching.address import AddressParts, address_parse_table, parse_address
from matching.normalise import normalise, work_connection

ELM_ROAD = ("12", None, "elmroad", ("bletchley", "keynes", "milton"), None)


def parsed(written: str) -> tuple[object, ...]:
    """The parts every form must share (the locality as written may be in another order)."""
    parts = parse_address(written)
    return (parts.house, parts.flat, parts.street, parts.locality, parts.postcode)


@pytest.mark.parametrize(
    "written",
    [
        "12 Elm Road, Bletchley, Milton Keynes",  # commas
        "12 Elm Road Bletchley Milton Keynes",  # no commas
        "12, Elm Road, Bletchley, Milton Keynes",  # lines joined, the number its own line
        "12 ELM RD,, Bletchley,Milton Keynes",  # abbreviation, extra and missing spaces
        "12 Elm Road, Milton Keynes, Bletchley",  # lines in another order
        "12 Elm Road\nBletchley\nMilton Keynes",  # lines on lines
    ],
)
def test_every_form_of_one_address_gives_the_same_parts(written: str) -> None:
    assert parsed(written) == ELM_ROAD


def test_a_uk_postcode_inside_the_text_is_taken_out_and_kept() -> None:
    for written in (
        "12 Elm Road, Bletchley, Milton Keynes MK3 6AB",
        "12 Elm Road, Bletchley, MK3 6AB, Milton Keynes",
        "12 Elm Road Bletchley Milton Keynes mk36ab",
    ):
        parts = parse_address(written)
        assert parts.postcode == "MK36AB"
        assert (parts.house, parts.street, parts.locality) == (
            "12",
            "elmroad",
            ("bletchley", "keynes", "milton"),
        )


def test_the_records_own_postcode_at_the_end_is_not_a_locality_word() -> None:
    parts = parse_address("8 stanley street, miami, winston hills, nsw 4223", "4223")
    assert parts.locality == ("hills", "miami", "nsw", "winston")
    # Only at the end, and only when it is the record's postcode: a house number stays.
    assert parse_address("4223 stanley street", "4223").house == "4223"
    assert parse_address("8 stanley street, nsw 4223", "2615").locality == ("4223", "nsw")


@pytest.mark.parametrize(
    ("written", "house", "flat", "street"),
    [
        ("Flat 2, 10 High St", "10", "2", "highstreet"),
        ("Flat 2 10 High Street", "10", "2", "highstreet"),
        ("Apartment 2, 10 High Street", "10", "2", "highstreet"),
        ("2/10 High Street", "10", "2", "highstreet"),  # two numbers: flat, then house
        ("10 High Street, Flat 2", "10", "2", "highstreet"),
        ("Flat B, 10 High Street", "10", "b", "highstreet"),
        ("12a Mill Lane", "12a", None, "milllane"),
        ("12 A Mill Lane", "12a", None, "milllane"),  # the letter written apart
        ("Rose Cottage, Mill Lane, Olney", "rosecottage", None, "milllane"),  # a house name
        ("Rose Cottage Mill Lane Olney", "rosecottage", None, "milllane"),
        ("7 The Broadway, Olney", "7", None, "thebroadway"),  # no street word: two words
        ("7 St John's Wood Road", "7", None, "streetjohnswoodroad"),  # St first: a saint
    ],
)
def test_house_flat_and_street(written: str, house: str, flat: str | None, street: str) -> None:
    parts = parse_address(written)
    assert (parts.house, parts.flat, parts.street) == (house, flat, street)


def test_mistyped_split_and_glued_street_words() -> None:
    assert parsed("3 Light Setreet, Pinehill") == parsed("3 Light Street, Pinehill")
    assert parsed("95 Bramston St reet, Modbury") == parsed("95 Bramston Street, Modbury")
    assert parsed("13 Walkercrescent, Acadia") == parsed("13 Walker Crescent, Acadia")
    assert parse_address("Dwyer S Treet, Glenlee").street == "dwyerstreet"
    # A word of its own one letter off a street word stays as written.
    assert parse_address("4 Palace Road").street == "palaceroad"
    assert parse_address("13 Walker Crescent, Acadia").locality_run == "acadia"


def test_nothing_to_parse() -> None:
    assert parse_address(", ,") == AddressParts(None, None, None, (), None, None)
    # An address of a town only has no street.
    assert parse_address("Milton Keynes").locality == ("keynes", "milton")


def test_the_table_parses_each_distinct_address_and_postcode_once() -> None:
    table = address_parse_table(
        pd.DataFrame(
            {"address": ["1 Elm Rd, Olney", "1 Elm Rd, Olney"], "postcode_compact": ["MK1", None]}
        )
    )
    assert table["address_street"].tolist() == ["elmroad", "elmroad"]
    assert table["address_locality_words"].tolist() == [["olney"], ["olney"]]


def test_normalised_rows_take_a_postcode_from_the_address_when_the_column_is_empty() -> None:
    rows = pd.DataFrame(
        {
            "source": ["a", "b"],
            "source_record_id": ["1", "2"],
            "forename": ["Ann", "Ann"],
            "surname": ["Lee", "Lee"],
            "dob": ["2010-01-02", "2010-01-02"],
            "postcode": [None, "MK3 6AB"],
            "address": ["12 Elm Rd Bletchley MK3 6AB", "12, Elm Road, Bletchley"],
        }
    )
    for column in ("source_person_id", "sex", "upn", "nino", "nhs_number"):
        rows[column] = None
    con = work_connection()
    con.register("rows", rows)
    normalise(con, "rows")
    got = con.execute(
        "select postcode, address_house, address_street, address_locality from normalised_row"
        " order by source"
    ).fetchall()
    con.close()
    assert got == [("MK3 6AB", "12", "elmroad", "bletchley")] * 2


def test_any_script_is_folded_to_letters() -> None:
    parts = parse_address("12 Bürger Straße, Rhôs-on-Sea")
    assert (parts.house, parts.street, parts.locality) == (
        "12",
        "burgerstrasse",
        ("on", "rhos", "sea"),
    )

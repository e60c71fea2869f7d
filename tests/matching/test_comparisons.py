"""Each comparison of the person model on hand-made pairs: which level a pair lands in.

Levels count down from the best (the else level is 0, a missing value -1), as Splink
numbers them; the expected level is written out per pair, so a changed SQL condition or a
reordered level fails here.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from splink import DuckDBAPI, Linker

from matching.model import person_settings
from matching.normalise import LINKED_COLUMNS, normalise, work_connection

BASE = {
    "forename": "Oliver",
    "surname": "Hughes",
    "dob": "2012-03-04",
    "postcode": "MK9 2AB",
    "address": None,
    "upn": None,
    "nino": None,
    "nhs_number": None,
    "source_person_id": None,
}


def gammas(left: dict[str, object], right: dict[str, object]) -> dict[str, int]:
    """Normalise two records as the nightly run does, score them, return gamma per column."""
    records = pd.DataFrame(
        [
            {"source": "a", "source_record_id": "1", **BASE, **left},
            {"source": "b", "source_record_id": "2", **BASE, **right},
        ]
    )
    for column in LINKED_COLUMNS:
        if column not in records:
            records[column] = None
    con = work_connection()
    con.register("records", records)
    normalise(con, "records")
    settings = dataclasses.replace(
        person_settings(0.01),
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=True,
    )
    db = DuckDBAPI(con)
    linker = Linker(db.register("identity"), settings, log_level=None)
    # Typed tables, not dicts: a missing value stays a NULL string, as in the warehouse.
    con.execute("create table left_record as select * from identity where source = 'a'")
    con.execute("create table right_record as select * from identity where source = 'b'")
    scored = linker.inference.score_pair(
        db.register("left_record"), db.register("right_record")
    ).as_pandas_dataframe()
    con.close()
    return {
        name.removeprefix("gamma_"): int(value)
        for name, value in scored.iloc[0].items()
        if str(name).startswith("gamma_")
    }


@pytest.mark.parametrize(
    ("left", "right", "level"),
    [
        ("Oliver", "oliver", 6),  # case only: exact after normalising
        ("Ørsted", "Orsted", 6),  # any script folded, never emptied
        ("Νίκος", "Nikos", 6),
        ("William", "Bill", 4),  # nickname table
        ("Elizabeth", "Beth", 4),
        ("Oliver", "Olvier", 3),  # transposed letters: Jaro-Winkler >= 0.92
        ("Jonathan", "Jonathon", 3),
        ("Oliver", "Olivia", 2),  # >= 0.80 but not 0.92
        ("Oliver", "Amelia", 0),
        ("Oliver", None, -1),
        ("-", "Oliver", -1),  # no letter at all: missing
    ],
)
def test_forename_levels(left: str, right: str | None, level: int) -> None:
    assert gammas({"forename": left}, {"forename": right})["forename"] == level


def test_names_swapped_are_weighed_once_in_the_forename() -> None:
    swapped = gammas(
        {"forename": "Wei", "surname": "Zhang"}, {"forename": "Zhang", "surname": "Wei"}
    )
    assert (swapped["forename"], swapped["surname"]) == (5, -1)
    # With a typo on one side, still swapped.
    typo = gammas(
        {"forename": "Cassandra", "surname": "Webb"}, {"forename": "Webb", "surname": "Casszndra"}
    )
    assert (typo["forename"], typo["surname"]) == (5, -1)
    # Only one name moved across: the forename's own "other field" level.
    one = gammas(
        {"forename": "Chantelle", "surname": "Seppelt"},
        {"forename": "Binns", "surname": "Chantelle"},
    )
    assert (one["forename"], one["surname"]) == (1, 0)


@pytest.mark.parametrize(
    ("left", "right", "level"),
    [
        ("Hughes", "HUGHES", 4),
        ("O'Brien", "OBrien", 4),  # punctuation stripped
        ("Müller", "Muller", 4),
        ("Hughes", "Hughse", 3),
        ("Smith-Jones", "Jones", 2),  # one part of a double-barrelled name
        ("Hughes", "Hughson", 1),
        ("Hughes", "Patel", 0),
    ],
)
def test_surname_levels(left: str, right: str, level: int) -> None:
    assert gammas({"surname": left}, {"surname": right})["surname"] == level


@pytest.mark.parametrize(
    ("left", "right", "level"),
    [
        ("2012-03-04", "2012-03-04", 5),
        ("2012-01-01", "2012-01-01", 4),  # 1 January: often a placeholder
        ("2012-03-04", "2012-04-03", 3),  # day and month swapped
        ("2012-03-04", "2012-03-14", 2),  # one digit typed wrong
        ("2012-03-04", "2013-03-04", 2),
        ("2012-03-04", "2012-09-28", 1),  # within a year
        ("2012-03-04", "1984-01-20", 0),  # a parent, not the child
        ("2012-03-04", None, -1),
        ("1900-01-01", "1900-01-01", -1),  # a system's default: no date at all
    ],
)
def test_dob_levels(left: str, right: str | None, level: int) -> None:
    assert gammas({"dob": left}, {"dob": right})["dob"] == level


@pytest.mark.parametrize(
    ("left", "right", "level"),
    [
        (("MK9 2AB", "12 High Street"), ("mk92ab", "12 High St"), 9),  # same home
        ((None, "12 High Street"), ("MK9 2AB", "12 High Street"), 8),  # a postcode missing
        (("MK9 2AB", "12 High Street"), ("MK9 2BA", "12 Highstreet"), 7),  # postcode mistyped
        (("MK9 2AB", "12 High Street"), ("MK9 2AB", "14 High Street"), 6),  # next door
        (("MK9 2AB", None), ("MK9 2AB", "Rose Cottage, Mill Lane"), 6),
        (("MK9 2AB", "12 High Street"), ("LU1 1AA", "3 High Street"), 5),  # same street
        (("MK9 2AB", None), ("MK9 2ZZ", None), 4),  # same sector
        (("2617", None), ("2167", None), 3),  # not UK-shaped, one transposition apart
        (("MK9 2AB", None), ("MK9 5XY", None), 2),  # same district
        (("MK9 2AB", None), ("MK17 8QP", None), 1),  # same area
        (("MK9 2AB", None), ("LU1 1AA", None), 0),
        ((None, "12 High Street"), (None, None), -1),
    ],
)
def test_address_levels(
    left: tuple[str | None, str | None], right: tuple[str | None, str | None], level: int
) -> None:
    got = gammas(
        {"postcode": left[0], "address": left[1]}, {"postcode": right[0], "address": right[1]}
    )
    assert got["address"] == level


@pytest.mark.parametrize(
    ("other", "level"),
    [
        ("3 Mill Lane, Newport Pagnell, Milton Keynes", 4),  # the same words
        ("3 Mill Lane Milton Keynes Newport Pagnell", 4),  # no commas, lines reordered
        ("3 Mill Lane, Milton Keynes", 3),  # a line left out: its words within the other's
        ("3 Mill Lane, Newport Pagnel, Milton Keynes", 2),  # one word mistyped of four
        ("12 High Street, Olney", 0),
        ("12 High Street", -1),
    ],
)
def test_locality_compares_the_other_words_as_a_set(other: str, level: int) -> None:
    home = "12 High Street, Newport Pagnell, Milton Keynes"
    assert gammas({"address": home}, {"address": other})["address_locality"] == level


@pytest.mark.parametrize(
    ("home", "other", "level"),
    [
        ("1 Elm Road, Bletchley", "1 Elm Road Bletchly", 2),  # mistyped: written alike
        ("1 Elm Road, Bletchley, Milton Keynes", "1 Elm Road, Fenny, Bletchley, Milton Keynes", 3),
        # A lone word within three (a state, a county): no evidence of its own.
        ("1 Elm Road, Olney", "1 Elm Road, Modbury, Bletchley, Olney", 0),
        ("1 Elm Road, Olney", "1 Elm Road, Olnay", 1),  # JW 0.91: alike, not the same
        ("1 Elm Road, Bletchley", "1 Elm Road, Bletchworth", 0),  # JW 0.84
    ],
)
def test_locality_words_mistyped_or_added(home: str, other: str, level: int) -> None:
    assert gammas({"address": home}, {"address": other})["address_locality"] == level


@pytest.mark.parametrize(
    ("left", "right", "level"),
    [
        ("Flat 2, 10 High St", "Flat 3, 10 High Street", 6),  # two flats: next door
        ("Flat 2, 10 High St", "10 High Street", 9),  # the flat left out: same home
        ("2/10 High Street", "flat 2 10 high st", 9),
        ("12 Elm Road Bletchley", "12, Elm Rd, Bletchley", 9),
    ],
)
def test_address_house_and_flat(left: str, right: str, level: int) -> None:
    assert gammas({"address": left}, {"address": right})["address"] == level


@pytest.mark.parametrize(
    ("identifier", "written", "rewritten"),
    [
        ("upn", "A123456789012", "a 1234 5678 9012"),
        ("nino", "AB123456C", "ab 12 34 56 c"),
        ("nhs_number", "9434765919", "943 476 5919"),
    ],
)
def test_identifier_levels(identifier: str, written: str, rewritten: str) -> None:
    assert gammas({identifier: written}, {identifier: rewritten})[identifier] == 1
    assert gammas({identifier: "1234567890"}, {identifier: "1234567891"})[identifier] == 0
    assert gammas({identifier: "1234567890"}, {identifier: None})[identifier] == -1


def test_source_key_counts_only_within_one_source() -> None:
    same_source = {"source_person_id": "K1"}
    # gammas() puts the two records in sources a and b: the key says nothing.
    assert gammas(same_source, same_source)["source_key"] == -1

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

from matching.link import PERSON_COLUMNS, normalise, work_connection
from matching.model import person_settings

BASE = {
    "forename": "Oliver",
    "surname": "Hughes",
    "dob": "2012-03-04",
    "postcode": "MK9 2AB",
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
    for column in PERSON_COLUMNS:
        if column not in records:
            records[column] = None
    con = work_connection()
    con.register("records", records)
    normalise(con, "records")
    settings = dataclasses.replace(
        person_settings(0.01, term_frequencies=False),
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
        ("Oliver", "oliver", 4),  # case only: exact after normalising
        ("William", "Bill", 3),  # nickname table
        ("Elizabeth", "Beth", 3),
        ("Oliver", "Olvier", 2),  # transposed letters: Jaro-Winkler >= 0.92
        ("Jonathan", "Jonathon", 2),
        ("Oliver", "Olivia", 1),  # >= 0.80 but not 0.92
        ("Oliver", "Amelia", 0),
        ("Oliver", None, -1),
    ],
)
def test_forename_levels(left: str, right: str | None, level: int) -> None:
    assert gammas({"forename": left}, {"forename": right})["forename"] == level


@pytest.mark.parametrize(
    ("left", "right", "level"),
    [
        ("Hughes", "HUGHES", 3),
        ("O'Brien", "OBrien", 3),  # punctuation stripped
        ("Hughes", "Hughse", 2),
        ("Hughes", "Hughson", 1),
        ("Hughes", "Patel", 0),
    ],
)
def test_surname_levels(left: str, right: str, level: int) -> None:
    assert gammas({"surname": left}, {"surname": right})["surname"] == level


@pytest.mark.parametrize(
    ("left", "right", "level"),
    [
        ("2012-03-04", "2012-03-04", 4),
        ("2012-03-04", "2012-04-03", 3),  # day and month swapped
        ("2012-03-04", "2012-03-14", 2),  # one digit typed wrong
        ("2012-03-04", "2013-03-04", 2),
        ("2012-03-04", "2012-09-28", 1),  # within a year
        ("2012-03-04", "1984-01-20", 0),  # a parent, not the child
        ("2012-03-04", None, -1),
    ],
)
def test_dob_levels(left: str, right: str | None, level: int) -> None:
    assert gammas({"dob": left}, {"dob": right})["dob"] == level


@pytest.mark.parametrize(
    ("left", "right", "level"),
    [
        ("MK9 2AB", "mk92ab", 4),  # the same postcode written differently
        ("MK9 2AB", "MK9 2ZZ", 3),  # same sector
        ("MK9 2AB", "MK9 5XY", 2),  # same district
        ("MK9 2AB", "MK17 8QP", 1),  # same area
        ("MK9 2AB", "LU1 1AA", 0),
    ],
)
def test_postcode_levels(left: str, right: str, level: int) -> None:
    assert gammas({"postcode": left}, {"postcode": right})["postcode"] == level


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

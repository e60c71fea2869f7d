"""The Splink model for UK person records: comparisons, blocking and shipped parameters.

The m and u values below are the shipped model: used as they stand when there are too few
records to train on, and the starting point otherwise. They are documented in
docs/matching.md; a change here is a change of model version.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path
from typing import Any

import splink.comparison_library as cl
from splink import SettingsCreator, block_on
from splink.blocking_rule_library import CustomRule

MODEL_VERSION = "person-model-4"
NICKNAMES_FILE = Path(__file__).parent / "data" / "nicknames.csv"
COMMON_NAMES_FILE = Path(__file__).parent / "data" / "common_names.csv"

# Comparison levels, best first, then the else level (null levels carry no parameters).
# A different forename is strong evidence of a different person (siblings share the rest);
# a different surname less so (marriage), hence the separate else-level m values.
# Forename: exact (term-frequency adjusted), forename and surname swapped (each written in
# the other's field, a typo allowed), nickname of the same name, Jaro-Winkler >= 0.92,
# >= 0.80, the forename written as the other record's surname (or the other way round)
# while the other name differs, else.
FORENAME_M = [0.85, 0.01, 0.03, 0.07, 0.03, 0.005, 0.005]
FORENAME_U = [0.004, 0.000002, 0.0005, 0.004, 0.03, 0.0005, 0.964998]
# Surname: exact (tf), JW >= 0.92, shares a part of a double-barrelled name (Smith-Jones /
# Jones), JW >= 0.80, else. Swapped names are weighed once, in the forename comparison: the
# surname comparison gives them a level of no weight.
SURNAME_M = [0.85, 0.06, 0.02, 0.03, 0.04]
SURNAME_U = [0.002, 0.003, 0.0005, 0.015, 0.9795]
# Date of birth: exact, exact but 1 January (a placeholder: a system's default for an
# unknown day; it says little more than the year), day and month swapped, one character
# apart (a single-digit typo), within a year, anything else. A parent and child differ
# by decades and land in the else level, whose m is kept small: in the sample, mother
# Lola and daughter Layla (same surname and postcode, forenames Jaro-Winkler 0.805)
# linked when it was 0.015.
DOB_M = [0.905, 0.008, 0.015, 0.06, 0.01, 0.002]
DOB_U = [0.0003, 0.0002, 0.00005, 0.004, 0.05, 0.94545]
# Where the person lives, postcode and address together (one comparison, so a household's
# shared postcode and address count once): same postcode and house; same house and street
# with one postcode missing; same house and street under another postcode (a mistyped
# postcode, or the same street name elsewhere); same postcode, other house or
# none given; same street (shipped u high: High Street, Station Road and Church Lane are in
# every town); postcode sector; postcode one character apart (a typo, or a
# neighbour); district; area; else. Families move, so m is spread.
ADDRESS_M = [0.62, 0.02, 0.01, 0.10, 0.02, 0.05, 0.002, 0.048, 0.03, 0.10]
ADDRESS_U = [0.0003, 0.00003, 0.00002, 0.0004, 0.02, 0.004, 0.001, 0.03, 0.2, 0.74425]
# The address's other words (estate, district, town: "Newport Pagnell, Milton Keynes"),
# compared as a set of words, never by position (matching/address.py): the same words
# (term-frequency adjusted: a whole council shares its town), one's words all in the
# other's (a line left out; two words at least: a lone county or state is in every
# address of its area), most words shared or the words as written run together at
# Jaro-Winkler >= 0.92 (one mistyped or split), either at >= 0.85, else. Mostly the
# postcode's area again in a UK extract (training finds a large u there); a separate
# witness when postcodes are mistyped or missing.
LOCALITY_M = [0.80, 0.06, 0.06, 0.03, 0.05]
LOCALITY_U = [0.02, 0.005, 0.005, 0.01, 0.96]
# Exact identifiers: u fixed by hand (random sampling sees too few agreeing pairs to train
# it, KNOWN_GROUND); m fixed too, so EM on a small council cannot talk it down.
IDENTIFIER_M = [0.985, 0.015]
IDENTIFIER_U = [0.00001, 0.99999]
SOURCE_KEY_M = [0.95, 0.05]
SOURCE_KEY_U = [0.0001, 0.9999]
# Names written in each other's field (Chinese and Hungarian order, a clerk's slip).
FORENAME_AS_SURNAME = 'jaro_winkler_similarity("forename_l", "surname_r") >= 0.92'
SURNAME_AS_FORENAME = 'jaro_winkler_similarity("surname_l", "forename_r") >= 0.92'
SWAPPED_NAMES = f"{FORENAME_AS_SURNAME} AND {SURNAME_AS_FORENAME}"
CROSSED_NAME = f"{FORENAME_AS_SURNAME} OR {SURNAME_AS_FORENAME}"
STREET_SIMILAR = 0.90

IDENTIFIERS = ("upn", "nino", "nhs_number")


@cache
def nickname_table() -> dict[str, str]:
    """Shipped name -> canonical name (William, Will, Bill and Billy -> william)."""
    with NICKNAMES_FILE.open(newline="", encoding="utf-8") as handle:
        return {row["name"]: row["canonical"] for row in csv.DictReader(handle)}


@cache
def common_name_frequencies() -> dict[str, dict[str, float]]:
    """column -> folded name -> share of people, for the very common names only.

    The shipped model's term frequencies (matching/data/common_names.csv): with too few
    records to count names, a shared John or Smith must still say less than a shared
    rare name. Rounded public figures; a trained model counts its own names instead.
    """
    table: dict[str, dict[str, float]] = {"forename": {}, "surname": {}}
    with COMMON_NAMES_FILE.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            table[row["column"]][row["name"]] = float(row["share"])
    return table


def _level(
    sql: str,
    label: str,
    m: float | None = None,
    u: float | None = None,
    *,
    null: bool = False,
    fixed: bool = False,
    tf_column: str | None = None,
) -> dict[str, Any]:
    level: dict[str, Any] = {"sql_condition": sql, "label_for_charts": label}
    if null:
        level["is_null_level"] = True
        return level
    level["m_probability"] = m
    level["u_probability"] = u
    if fixed:
        level["fix_m_probability"] = True
        level["fix_u_probability"] = True
    if tf_column:
        level["tf_adjustment_column"] = tf_column
        level["tf_adjustment_weight"] = 1.0
    return level


def _null(column: str) -> dict[str, Any]:
    return _level(f'"{column}_l" IS NULL OR "{column}_r" IS NULL', f"{column} missing", null=True)


def _jaro(column: str, at_least: float) -> str:
    return f'jaro_winkler_similarity("{column}_l", "{column}_r") >= {at_least}'


def forename_comparison() -> cl.CustomComparison:
    """Exact (a shared rare name says more), swapped with the surname, nickname, fuzzy."""
    m, u = FORENAME_M, FORENAME_U
    return cl.CustomComparison(
        output_column_name="forename",
        comparison_levels=[
            _null("forename"),
            _level('"forename_l" = "forename_r"', "exact", m[0], u[0], tf_column="forename"),
            _level(SWAPPED_NAMES, "forename and surname swapped", m[1], u[1]),
            _level(
                '"forename_canonical_l" = "forename_canonical_r"',
                "nickname of the same name",
                m[2],
                u[2],
            ),
            _level(_jaro("forename", 0.92), "JW >= 0.92", m[3], u[3]),
            _level(_jaro("forename", 0.80), "JW >= 0.80", m[4], u[4]),
            _level(CROSSED_NAME, "one name in the other's field", m[5], u[5]),
            _level("ELSE", "different", m[6], u[6]),
        ],
    )


def surname_comparison() -> cl.CustomComparison:
    m, u = SURNAME_M, SURNAME_U
    return cl.CustomComparison(
        output_column_name="surname",
        comparison_levels=[
            _null("surname"),
            _level('"surname_l" = "surname_r"', "exact", m[0], u[0], tf_column="surname"),
            _level(SWAPPED_NAMES, "swapped with forename (weighed with the forename)", null=True),
            _level(_jaro("surname", 0.92), "JW >= 0.92", m[1], u[1]),
            _level(
                'list_has_any("surname_parts_l", "surname_parts_r")',
                "shares a part of a double-barrelled name",
                m[2],
                u[2],
            ),
            _level(_jaro("surname", 0.80), "JW >= 0.80", m[3], u[3]),
            _level("ELSE", "different", m[4], u[4]),
        ],
    )


def dob_comparison() -> cl.CustomComparison:
    """Dates of birth as DATE; a swapped day and month is its own level (US-style entry),
    and so is a shared 1 January (`dob_placeholder`, made in normalising)."""
    m, u = DOB_M, DOB_U
    return cl.CustomComparison(
        output_column_name="dob",
        comparison_levels=[
            _null("dob"),
            _level('"dob_l" = "dob_r" AND NOT "dob_placeholder_l"', "exact", m[0], u[0]),
            _level('"dob_l" = "dob_r"', "exact, 1 January (often a placeholder)", m[1], u[1]),
            _level(
                'year("dob_l") = year("dob_r") AND month("dob_l") = day("dob_r") '
                'AND day("dob_l") = month("dob_r")',
                "day and month swapped",
                m[2],
                u[2],
            ),
            _level(
                'damerau_levenshtein(CAST("dob_l" AS VARCHAR), CAST("dob_r" AS VARCHAR)) <= 1',
                "one character apart",
                m[3],
                u[3],
            ),
            _level('abs(date_diff(\'day\', "dob_l", "dob_r")) <= 366', "within a year", m[4], u[4]),
            _level("ELSE", "different", m[5], u[5]),
        ],
    )


def address_comparison() -> cl.CustomComparison:
    """Postcode and address (house number or name, and street: matching/normalise.py).

    Postcode parts are made in normalising and are null for a postcode that is not
    UK-shaped, which can then only agree in full. (Splink's PostcodeComparison extracts
    parts by regex, and DuckDB's regexp_extract gives '' on no match, so two different
    overseas postcodes would agree on 'sector'.)
    """
    m, u = ADDRESS_M, ADDRESS_U
    # One building, and not two different flats in it (Flat 2 and Flat 3 of number 10).
    same_house = (
        '"address_house_l" = "address_house_r" AND ("address_flat_l" IS NULL'
        ' OR "address_flat_r" IS NULL OR "address_flat_l" = "address_flat_r")'
    )
    same_street = _jaro("address_street", STREET_SIMILAR)
    postcode_missing = '("postcode_l" IS NULL OR "postcode_r" IS NULL)'
    return cl.CustomComparison(
        output_column_name="address",
        comparison_levels=[
            _level(
                '("postcode_l" IS NULL OR "postcode_r" IS NULL) AND '
                '("address_house_l" IS NULL OR "address_house_r" IS NULL)',
                "postcode and address missing",
                null=True,
            ),
            _level(
                f'"postcode_l" = "postcode_r" AND {same_house}',
                "same postcode and house",
                m[0],
                u[0],
            ),
            _level(
                f"{same_house} AND {same_street} AND {postcode_missing}",
                "same house and street, a postcode missing",
                m[1],
                u[1],
            ),
            _level(
                f"{same_house} AND {same_street}",
                "same house and street, other postcode",
                m[2],
                u[2],
            ),
            _level('"postcode_l" = "postcode_r"', "same postcode, other house", m[3], u[3]),
            _level(same_street, "same street", m[4], u[4]),
            _level('"postcode_sector_l" = "postcode_sector_r"', "postcode sector", m[5], u[5]),
            _level(
                'damerau_levenshtein("postcode_l", "postcode_r") <= 1',
                "postcode one character apart",
                m[6],
                u[6],
            ),
            _level(
                '"postcode_district_l" = "postcode_district_r"', "postcode district", m[7], u[7]
            ),
            _level('"postcode_area_l" = "postcode_area_r"', "postcode area", m[8], u[8]),
            _level("ELSE", "different", m[9], u[9]),
        ],
    )


def locality_comparison() -> cl.CustomComparison:
    """The address's words other than house and street, as sets (matching/address.py)."""
    m, u = LOCALITY_M, LOCALITY_U
    # Written so sqlglot renders them for Spark too (SIZE, ARRAY_INTERSECT); the word
    # lists hold each word once, so a shared count equal to the shorter list's length
    # means one list is within the other.
    left, right = '"address_locality_words_l"', '"address_locality_words_r"'
    shared = f"array_length(array_intersect({left}, {right}))"
    return cl.CustomComparison(
        output_column_name="address_locality",
        comparison_levels=[
            _null("address_locality"),
            _level(
                '"address_locality_l" = "address_locality_r"',
                "same words",
                m[0],
                u[0],
                tf_column="address_locality",
            ),
            _level(
                f"{shared} = least(array_length({left}), array_length({right}))"
                f" AND least(array_length({left}), array_length({right})) >= 2",
                "one's words (two or more) all in the other's",
                m[1],
                u[1],
            ),
            _level(
                f"2 * {shared} >= greatest(array_length({left}), array_length({right}))"
                f" OR {_jaro('address_locality_run', 0.92)}",
                "most words shared, or written alike (a word mistyped or split)",
                m[2],
                u[2],
            ),
            _level(
                f"{_jaro('address_locality', 0.85)} OR {_jaro('address_locality_run', 0.85)}",
                "JW >= 0.85",
                m[3],
                u[3],
            ),
            _level("ELSE", "different", m[4], u[4]),
        ],
    )


def identifier_comparison(name: str) -> cl.CustomComparison:
    """An exact national identifier (UPN, NINO, NHS number); parameters fixed, not trained."""
    return cl.CustomComparison(
        output_column_name=name,
        comparison_levels=[
            _null(name),
            _level(
                f'"{name}_l" = "{name}_r"', "same", IDENTIFIER_M[0], IDENTIFIER_U[0], fixed=True
            ),
            _level("ELSE", "different", IDENTIFIER_M[1], IDENTIFIER_U[1], fixed=True),
        ],
    )


def source_key_comparison() -> cl.CustomComparison:
    """The source's own person key means something only between rows of the same source."""
    return cl.CustomComparison(
        output_column_name="source_key",
        comparison_levels=[
            _level(
                "source_l <> source_r OR source_person_id_l IS NULL OR source_person_id_r IS NULL",
                "different sources or key missing",
                null=True,
            ),
            _level(
                "source_person_id_l = source_person_id_r",
                "same source, same person key",
                SOURCE_KEY_M[0],
                SOURCE_KEY_U[0],
                fixed=True,
            ),
            _level(
                "ELSE",
                "same source, different person key",
                SOURCE_KEY_M[1],
                SOURCE_KEY_U[1],
                fixed=True,
            ),
        ],
    )


def person_settings(prior: float) -> SettingsCreator:
    """Splink settings; `prior` is the chance two random records are the same person.

    Forename and surname exact levels adjust for how common the name is, from the lookup
    tables registered at scoring (matching/scoring_state.py): the names counted in the
    data a model was trained on, or the shipped common names (too few records to count).
    """
    comparisons: list[Any] = [
        forename_comparison(),
        surname_comparison(),
        dob_comparison(),
        address_comparison(),
        locality_comparison(),
        *(identifier_comparison(name) for name in IDENTIFIERS),
        source_key_comparison(),
    ]
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="record_id",
        probability_two_random_records_match=prior,
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=blocking_rules(),
        additional_columns_to_retain=[],
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )


def blocking_rules() -> list[Any]:
    """Rules whose pair count grows close to linearly with the council (docs/matching.md).

    Between them they let any two of forename, surname, date of birth and postcode be
    wrong: every pair of those four is a rule, except forename with surname, which is
    narrowed by the year or by the day and month of birth (a mistyped date keeps one) or
    by the house and street; the address rules catch a person who moved without an
    identifier. A date of birth alone would not do: about 29,000 distinct dates over 80
    years put every pair of the same birthday in one block, which grows with the square of
    the population; so does a date with a name initial or a postcode district (measured:
    14 pairs per identity at 300,000 households).
    """
    locality = "substr(address_locality, 1, 3)"
    return [
        block_on("upn"),
        block_on("nino"),
        block_on("nhs_number"),
        block_on("source", "source_person_id"),
        block_on("dob", "surname"),
        block_on("dob", "forename_canonical"),
        block_on("dob", "postcode"),
        block_on("dob", "address_house", "address_street"),
        block_on("forename_canonical", "surname", "year(dob)"),
        block_on("forename_canonical", "surname", "month(dob)", "day(dob)"),
        block_on("forename_canonical", "surname", "address_house"),
        block_on("surname", "postcode"),
        block_on("forename_canonical", "postcode"),
        block_on("postcode", "address_house"),
        # Where the address has a locality (its later lines), the street and its first
        # letters stand in for a mistyped postcode.
        block_on("address_house", "address_street", locality),
        block_on("forename_canonical", "address_street", locality),
        block_on("surname", "address_street", locality),
        block_on("dob", "address_street", locality),
        block_on("dob", "address_house", locality),
        CustomRule("l.forename = r.surname AND l.surname = r.forename"),
    ]


def identifier_training_rules(names: list[str]) -> list[Any]:
    """EM sessions on pairs that share a national identifier: every other field trained."""
    return [block_on(name) for name in names]


def training_blocking_rules() -> list[Any]:
    """Fixed EM sessions: each leaves some comparisons free to be estimated.

    A comparison that reads a column of the session's rule is not trained in it, and the
    forename and surname comparisons read each other's column (swapped names), so the
    names are trained only in the date-of-birth-and-postcode session.
    """
    return [
        block_on("dob", "substr(surname, 1, 1)"),
        block_on("forename", "surname"),
        block_on("dob", "postcode"),
    ]

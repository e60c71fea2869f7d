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

MODEL_VERSION = "person-model-2"
NICKNAMES_FILE = Path(__file__).parent / "data" / "nicknames.csv"

# Comparison levels, best first, then the else level (null levels carry no parameters).
# A different forename is strong evidence of a different person (siblings share the rest);
# a different surname less so (marriage), hence the separate else-level m values.
# Forename: exact, nickname of the same name, Jaro-Winkler >= 0.92, >= 0.80, else.
FORENAME_M = [0.855, 0.03, 0.07, 0.04, 0.005]
FORENAME_U = [0.004, 0.0005, 0.004, 0.03, 0.9615]
# Surname: exact, Jaro-Winkler >= 0.92, >= 0.80, else.
SURNAME_M = [0.85, 0.06, 0.04, 0.05]
SURNAME_U = [0.002, 0.003, 0.015, 0.980]
# Date of birth: exact, day and month swapped, one character apart (a typo), within a
# year, anything else. A parent and child differ by decades and land in the else level,
# whose m is kept small: in the sample, mother Lola and daughter Layla (same surname and
# postcode, forenames Jaro-Winkler 0.805) linked when it was 0.015.
DOB_M = [0.913, 0.015, 0.06, 0.01, 0.002]
DOB_U = [0.0003, 0.00005, 0.004, 0.05, 0.94565]
# Full postcode, sector, district, area, anything else: families move, so m is spread.
POSTCODE_M = [0.70, 0.08, 0.07, 0.05, 0.10]
POSTCODE_U = [0.0005, 0.004, 0.03, 0.2, 0.7655]
# Exact identifiers: u fixed by hand (random sampling sees too few agreeing pairs to train
# it, KNOWN_GROUND); m fixed too, so EM on a small council cannot talk it down.
IDENTIFIER_M = [0.985, 0.015]
IDENTIFIER_U = [0.00001, 0.99999]
SOURCE_KEY_M = [0.95, 0.05]
SOURCE_KEY_U = [0.0001, 0.9999]

IDENTIFIERS = ("upn", "nino", "nhs_number")


@cache
def nickname_table() -> dict[str, str]:
    """Shipped name -> canonical name (William, Will, Bill and Billy -> william)."""
    with NICKNAMES_FILE.open(newline="", encoding="utf-8") as handle:
        return {row["name"]: row["canonical"] for row in csv.DictReader(handle)}


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


def forename_comparison(term_frequencies: bool = True) -> cl.CustomComparison:
    """Exact (with term frequencies: a shared rare name says more), nickname, fuzzy."""
    m, u = FORENAME_M, FORENAME_U
    tf = "forename" if term_frequencies else None
    return cl.CustomComparison(
        output_column_name="forename",
        comparison_levels=[
            _null("forename"),
            _level('"forename_l" = "forename_r"', "exact", m[0], u[0], tf_column=tf),
            _level(
                '"forename_canonical_l" = "forename_canonical_r"',
                "nickname of the same name",
                m[1],
                u[1],
            ),
            _level(
                'jaro_winkler_similarity("forename_l", "forename_r") >= 0.92',
                "JW >= 0.92",
                m[2],
                u[2],
            ),
            _level(
                'jaro_winkler_similarity("forename_l", "forename_r") >= 0.80',
                "JW >= 0.80",
                m[3],
                u[3],
            ),
            _level("ELSE", "different", m[4], u[4]),
        ],
    )


def surname_comparison(term_frequencies: bool = True) -> cl.CustomComparison:
    m, u = SURNAME_M, SURNAME_U
    tf = "surname" if term_frequencies else None
    return cl.CustomComparison(
        output_column_name="surname",
        comparison_levels=[
            _null("surname"),
            _level('"surname_l" = "surname_r"', "exact", m[0], u[0], tf_column=tf),
            _level(
                'jaro_winkler_similarity("surname_l", "surname_r") >= 0.92',
                "JW >= 0.92",
                m[1],
                u[1],
            ),
            _level(
                'jaro_winkler_similarity("surname_l", "surname_r") >= 0.80',
                "JW >= 0.80",
                m[2],
                u[2],
            ),
            _level("ELSE", "different", m[3], u[3]),
        ],
    )


def dob_comparison() -> cl.CustomComparison:
    """Dates of birth as DATE; a swapped day and month is its own level (US-style entry)."""
    m, u = DOB_M, DOB_U
    return cl.CustomComparison(
        output_column_name="dob",
        comparison_levels=[
            _null("dob"),
            _level('"dob_l" = "dob_r"', "exact", m[0], u[0]),
            _level(
                'year("dob_l") = year("dob_r") AND month("dob_l") = day("dob_r") '
                'AND day("dob_l") = month("dob_r")',
                "day and month swapped",
                m[1],
                u[1],
            ),
            _level(
                'damerau_levenshtein(CAST("dob_l" AS VARCHAR), CAST("dob_r" AS VARCHAR)) <= 1',
                "one character apart",
                m[2],
                u[2],
            ),
            _level('abs(date_diff(\'day\', "dob_l", "dob_r")) <= 366', "within a year", m[3], u[3]),
            _level("ELSE", "different", m[4], u[4]),
        ],
    )


def postcode_comparison() -> cl.CustomComparison:
    """Full, sector, district, area: the parts are made in normalising (matching/link.py)
    and are null for a postcode that is not UK-shaped, which can then only agree in full.
    (Splink's PostcodeComparison extracts parts by regex, and DuckDB's regexp_extract gives
    '' on no match, so two different overseas postcodes would agree on 'sector'.)"""
    m, u = POSTCODE_M, POSTCODE_U
    parts = ("postcode", "postcode_sector", "postcode_district", "postcode_area")
    labels = ("full postcode", "sector", "district", "area")
    return cl.CustomComparison(
        output_column_name="postcode",
        comparison_levels=[
            _null("postcode"),
            *(
                _level(f'"{part}_l" = "{part}_r"', label, m[i], u[i])
                for i, (part, label) in enumerate(zip(parts, labels, strict=True))
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


def person_settings(prior: float, term_frequencies: bool = True) -> SettingsCreator:
    """Splink settings; `prior` is the chance two random records are the same person.

    Term-frequency adjustments are estimated from the data being linked, so they are only
    switched on when there is enough of it to train on: in a 30-row test extract every
    surname looks common and an exact surname would count against a link.
    """
    comparisons: list[Any] = [
        forename_comparison(term_frequencies),
        surname_comparison(term_frequencies),
        dob_comparison(),
        postcode_comparison(),
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

    A date of birth alone would not do: about 29,000 distinct dates over 80 years put
    every pair of the same birthday in one block, which grows with the square of the
    population; so does a date with a name initial or a postcode district (measured: 14
    pairs per identity at 300,000 households). Each date rule is narrowed by a whole
    surname, forename or postcode, and the rules between them still let any one of
    forename, surname, date or postcode be wrong.
    """
    return [
        block_on("upn"),
        block_on("nino"),
        block_on("nhs_number"),
        block_on("source", "source_person_id"),
        block_on("dob", "surname"),
        block_on("dob", "forename_canonical"),
        block_on("dob", "postcode"),
        block_on("forename_canonical", "surname", "year(dob)"),
        block_on("surname", "postcode"),
        block_on("forename_canonical", "postcode"),
    ]


def training_blocking_rules() -> list[Any]:
    """Fixed EM sessions: each leaves some comparisons free to be estimated."""
    return [
        block_on("dob", "substr(surname, 1, 1)"),
        block_on("forename", "surname"),
    ]

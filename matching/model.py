"""The Splink model for UK person records: comparisons, blocking and shipped parameters.

The m and u values below are the shipped model: used as they stand when there are too few
records to train on, and the starting point otherwise. They are documented in
docs/matching.md; a change here is a change of model version.
"""

from __future__ import annotations

from typing import Any

import splink.comparison_library as cl
from splink import SettingsCreator, block_on

MODEL_VERSION = "person-model-1"

# Comparison levels, best first, then the else level (null levels carry no parameters).
# A different forename is strong evidence of a different person (siblings share the rest);
# a different surname less so (marriage), hence the separate else-level m values.
FORENAME_M = [0.86, 0.08, 0.055, 0.005]
SURNAME_M = [0.85, 0.06, 0.04, 0.05]
FORENAME_U = [0.004, 0.004, 0.02, 0.972]
SURNAME_U = [0.002, 0.003, 0.015, 0.980]
# Exact, one character apart (a typo or swapped day and month), within a month, a year,
# ten years, anything else.
DOB_M = [0.90, 0.07, 0.0125, 0.01, 0.007, 0.0005]
DOB_U = [0.0003, 0.004, 0.003, 0.03, 0.35, 0.6127]
# Full postcode, sector, district, area, anything else: families move, so m is spread.
POSTCODE_M = [0.70, 0.08, 0.07, 0.05, 0.10]
POSTCODE_U = [0.0005, 0.004, 0.03, 0.2, 0.7655]
IDENTIFIER_M = [0.985, 0.015]
IDENTIFIER_U = [0.00001, 0.99999]
SOURCE_KEY_M = [0.95, 0.05]
SOURCE_KEY_U = [0.0001, 0.9999]

IDENTIFIERS = ("upn", "nino", "nhs_number")


def _source_key_comparison() -> cl.CustomComparison:
    """The source's own person key means something only between rows of the same source."""
    return cl.CustomComparison(
        output_column_name="source_key",
        comparison_levels=[
            {
                "sql_condition": "source_l <> source_r OR source_person_id_l IS NULL "
                "OR source_person_id_r IS NULL",
                "label_for_charts": "different sources or key missing",
                "is_null_level": True,
            },
            {
                "sql_condition": "source_person_id_l = source_person_id_r",
                "label_for_charts": "same source, same person key",
                "m_probability": SOURCE_KEY_M[0],
                "u_probability": SOURCE_KEY_U[0],
            },
            {
                "sql_condition": "ELSE",
                "label_for_charts": "same source, different person key",
                "m_probability": SOURCE_KEY_M[1],
                "u_probability": SOURCE_KEY_U[1],
            },
        ],
    )


def person_settings(prior: float) -> SettingsCreator:
    """Splink settings; `prior` is the chance two random records are the same person."""
    comparisons: list[Any] = [
        cl.JaroWinklerAtThresholds("forename", [0.92, 0.80]).configure(
            m_probabilities=FORENAME_M, u_probabilities=FORENAME_U
        ),
        cl.JaroWinklerAtThresholds("surname", [0.92, 0.80]).configure(
            m_probabilities=SURNAME_M, u_probabilities=SURNAME_U
        ),
        cl.DateOfBirthComparison("dob", input_is_string=False).configure(
            m_probabilities=DOB_M, u_probabilities=DOB_U
        ),
        cl.PostcodeComparison("postcode").configure(
            m_probabilities=POSTCODE_M, u_probabilities=POSTCODE_U
        ),
        *(
            cl.ExactMatch(name).configure(
                m_probabilities=IDENTIFIER_M, u_probabilities=IDENTIFIER_U
            )
            for name in IDENTIFIERS
        ),
        _source_key_comparison(),
    ]
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="record_id",
        probability_two_random_records_match=prior,
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=blocking_rules(),
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )


def blocking_rules() -> list[Any]:
    """Rules that keep the pair count close to linear in the number of records."""
    return [
        block_on("dob"),
        block_on("upn"),
        block_on("nino"),
        block_on("nhs_number"),
        block_on("source", "source_person_id"),
        block_on("surname", "postcode"),
        block_on("forename", "surname", "substr(postcode, 1, 2)"),
    ]

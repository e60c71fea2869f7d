"""One Great Expectations suite per feed, generated from its contract in `feeds.py`.

Nothing here is written per feed: required columns, allowed codes, ranges, dates not after
the load date, uniqueness within a batch and the cross-field rules are all read from the
`Feed`, so a change to a contract changes its suite. Each expectation carries in its
`meta` the column and the exact quarantine reason it stands for, which is how a failing
row gets a reason that does not depend on Great Expectations' own wording.

Great Expectations is imported inside the functions: it costs several seconds to import
and most commands never validate anything (../shared/KNOWN_GROUND.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from data_contracts.feeds import Feed

if TYPE_CHECKING:
    import great_expectations as gx

LOAD_DATE_PARAMETER = "load_date"
"""Suite parameter: the batch's load date, so 'not in the future' means not after the load."""

BATCH_COLUMN = "batch_part"
"""Which batch a row came from when a night's batches of a feed are checked together;
part of every uniqueness key, since uniqueness is a rule within one batch."""

REQUIRED_REASON = "missing required value"
FUTURE_REASON = "date after the batch's load date"

NUMERIC_TYPE = "float64"
DATE_TYPE = "datetime64[s]"
FAST_DATE_TYPE = "datetime64[ns]"
"""The dtypes the validation frame gives numbers and dates (see `validation_frame`).

Numbers are plain float64 because Great Expectations' column-pair expectations raise on
nullable Int64 holding NA. Dates are datetime64[ns] when every date of the run fits
(1677-2262): Great Expectations compares those in one vectorised step, but any other
unit one Python call per row (5 s of a 50,000-household night). A run holding a year such
as 2999 uses second resolution, where it still fits."""


@dataclass(frozen=True)
class Check:
    """What one expectation stands for: the quarantine line its failing rows get."""

    kind: str
    column: str
    reason: str
    label: str
    key: tuple[str, ...] = ()


def suite_checks(feed: Feed, date_type: str = DATE_TYPE) -> list[tuple[str, dict[str, Any], Check]]:
    """The suite as data: (expectation class name, its arguments, the check it stands for).

    Kept apart from Great Expectations so the order and reasons can be read and tested
    without importing it; the order here is the order of quarantine lines within a row.
    `date_type`: the dtype dates are handed over in (the same checks either way).
    """
    checks: list[tuple[str, dict[str, Any], Check]] = []
    for column in feed.all_columns:
        name = column.name
        if column.kind in ("int", "decimal"):
            checks.append(
                (
                    "ExpectColumnValuesToBeOfType",
                    {"column": name, "type_": NUMERIC_TYPE},
                    Check("type", name, column.expected, f"{name} is a number"),
                )
            )
        if column.is_dated:
            checks.append(
                (
                    "ExpectColumnValuesToBeOfType",
                    {"column": name, "type_": date_type},
                    Check("type", name, column.expected, f"{name} is a date"),
                )
            )
        if column.required:
            checks.append(
                (
                    "ExpectColumnValuesToNotBeNull",
                    {"column": name},
                    Check("required", name, REQUIRED_REASON, f"{name} is present"),
                )
            )
        if column.kind == "code":
            checks.append(
                (
                    "ExpectColumnValuesToBeInSet",
                    {"column": name, "value_set": list(column.codes)},
                    Check("codes", name, column.expected, f"{name} is an allowed code"),
                )
            )
        if column.min_value is not None:
            sign = ">" if column.exclusive_min else ">="
            checks.append(
                (
                    "ExpectColumnValuesToBeBetween",
                    {
                        "column": name,
                        "min_value": column.min_value,
                        "strict_min": column.exclusive_min,
                    },
                    Check("range", name, column.expected, f"{name} {sign} {column.min_value:g}"),
                )
            )
        if column.is_dated:
            checks.append(
                (
                    "ExpectColumnValuesToBeBetween",
                    {"column": name, "max_value": {"$PARAMETER": LOAD_DATE_PARAMETER}},
                    Check("not_future", name, FUTURE_REASON, f"{name} not after the load date"),
                )
            )
    if feed.unique_key:
        key = feed.unique_key
        listed = ", ".join(key)
        checks.append(
            (
                "ExpectCompoundColumnsToBeUnique",
                {"column_list": [BATCH_COLUMN, *key]},
                Check(
                    "unique", key[-1], f"same {listed} as row {{first}}", f"{listed} unique", key
                ),
            )
        )
    for rule in feed.rules_between_columns:
        checks.append(
            (
                "ExpectColumnPairValuesAToBeGreaterThanB",
                {
                    "column_A": rule.later,
                    "column_B": rule.earlier,
                    "or_equal": True,
                    "ignore_row_if": "either_value_is_missing",
                },
                Check("cross", rule.column, rule.reason, f"{rule.later} >= {rule.earlier}"),
            )
        )
    return checks


def build_suite(feed: Feed, date_type: str = DATE_TYPE) -> tuple[gx.ExpectationSuite, list[Check]]:
    """The feed's Great Expectations suite and, position for position, what each checks.

    Needs an active context (`validation.expectation_engine()` makes the ephemeral one).
    """
    import great_expectations as gx
    import great_expectations.expectations as gxe

    suite = gx.ExpectationSuite(name=f"feed_{feed.name}")
    checks = []
    for number, (class_name, arguments, check) in enumerate(suite_checks(feed, date_type)):
        expectation = getattr(gxe, class_name)(
            **arguments, meta={"check": number, "column": check.column, "reason": check.reason}
        )
        suite.add_expectation(expectation)
        checks.append(check)
    return suite, checks

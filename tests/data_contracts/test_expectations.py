"""Each feed's expectation suite is generated from its contract, check for check."""

from __future__ import annotations

import pytest

from data_contracts.expectations import BATCH_COLUMN, build_suite, suite_checks
from data_contracts.feeds import FEEDS
from data_contracts.validation import expectation_engine


@pytest.mark.parametrize("name", list(FEEDS))
def test_suite_follows_the_contract(name: str) -> None:
    feed = FEEDS[name]
    planned = suite_checks(feed)
    kinds = {(check.kind, check.column) for _, _, check in planned}
    for column in feed.all_columns:
        assert (("required", column.name) in kinds) == column.required
        assert (("codes", column.name) in kinds) == (column.kind == "code")
        assert (("range", column.name) in kinds) == (column.min_value is not None)
        assert (("not_future", column.name) in kinds) == column.is_dated
    uniques = [args for cls, args, check in planned if check.kind == "unique"]
    assert uniques == (
        [{"column_list": [BATCH_COLUMN, *feed.unique_key]}] if feed.unique_key else []
    )
    crosses = [(a["column_A"], a["column_B"]) for _, a, c in planned if c.kind == "cross"]
    assert crosses == [(r.later, r.earlier) for r in feed.rules_between_columns]

    expectation_engine()
    suite, checks = build_suite(feed)
    assert suite.name == f"feed_{name}"
    assert len(suite.expectations) == len(planned) == len(checks)
    for number, expectation in enumerate(suite.expectations):
        assert expectation.meta == {
            "check": number,
            "column": checks[number].column,
            "reason": checks[number].reason,
        }


def test_codes_and_rules_come_from_the_contract() -> None:
    police = {c.column: a for cls, a, c in suite_checks(FEEDS["police"]) if c.kind == "codes"}
    assert police["event_type"]["value_set"][:2] == ["offence", "arrest"]
    attendance = [c.reason for _, _, c in suite_checks(FEEDS["attendance"]) if c.kind == "cross"]
    assert attendance == [
        "authorised + unauthorised absence exceeds sessions_possible",
        "date of birth after term_end",
    ]
    assert not [c for _, _, c in suite_checks(FEEDS["csc"]) if c.reason.startswith("date of")]

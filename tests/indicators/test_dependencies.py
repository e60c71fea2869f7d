"""What each model reads, as indicators/dependencies.py reads it from the SQL.

A decision reuses the last derive's tables only while nothing a model reads changed
(indicators/current.py): a table the SQL reads but the fingerprint leaves out would let a
claim decide on stale rows, so the list is checked against the SQL here.
"""

from __future__ import annotations

import re

from data_contracts.feeds import FEEDS
from indicators.dependencies import (
    DATE_PARAMETERS,
    INPUT_TABLES,
    as_of_dependent_models,
    model_reads,
)
from indicators.models import COMMENT, INDICATOR_MODELS, SQL_DIR, sql_parameters
from indicators.registry import load_registry

PLAN_TABLES = {"plan_criterion", "plan_outcome_logic"}
"""Written from the plan and the registry, both in the fingerprint."""
READ = re.compile(r"\b(?:from|join)\s+([a-z_][a-z0-9_.]*)")
CTE = re.compile(r"\b([a-z_][a-z0-9_]*)\s+as\s*\(")
TEXT = re.compile(r"'[^']*'")


def tables_read(name: str) -> set[str]:
    sql = TEXT.sub("''", COMMENT.sub("", (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")))
    return set(READ.findall(sql)) - set(CTE.findall(sql))


def test_every_table_the_models_read_is_in_the_fingerprint() -> None:
    staged_views = {f"stg_{feed}": f"stg_{feed}_all" for feed in FEEDS}
    for name in INDICATOR_MODELS:
        for table in tables_read(name) - set(INDICATOR_MODELS) - PLAN_TABLES:
            assert staged_views.get(table, table) in INPUT_TABLES, (name, table)
    # the staged views read the supersessions as well as the staged rows
    assert "load_supersession" in INPUT_TABLES


def test_the_reads_are_the_models_named_in_the_sql() -> None:
    assert set(model_reads("family_need")) >= set(load_registry().need_models)
    assert model_reads("measure_attendance_pair") == ("measure_attendance_term",)
    assert model_reads("case_current") == ()
    for name in INDICATOR_MODELS:
        assert set(model_reads(name)) <= set(INDICATOR_MODELS[: INDICATOR_MODELS.index(name)])


def test_the_as_of_date_reaches_every_model() -> None:
    """The frame models cut every row at the as-of date (case_current keeps the cases
    opened by then), and every other model reads them or a person model cut the same
    way: no table of one date stands for another (docs/indicators.md)."""
    direct = {
        n
        for n in INDICATOR_MODELS
        if sql_parameters((SQL_DIR / f"{n}.sql").read_text()) & set(DATE_PARAMETERS)
    }
    assert "case_current" in direct
    assert "measure_attendance_pair" not in direct  # depends through the term measure
    assert as_of_dependent_models() == INDICATOR_MODELS

"""Every list that names criteria or their models agrees with the criterion registry.

indicators/criteria.yaml is the one list (STYLE habit 11): the run order, the unions in
family_need.sql and outcome_data_test.sql, plan.DATA_TESTS, the contract's criterion codes,
the feeds the incremental derive watches, the parameters each SQL file reads, the case
files and the docs table are generated from it or checked here. Also: every model file is
run, declares its grain, cites its source, and is unique on its grain.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from claims.decide import decide_cases
from data_contracts.feeds import CRITERION_CODES
from indicators.models import CASE_SUPPORT_MODELS, INDICATOR_MODELS, SQL_DIR, sql_parameters
from indicators.plan import DATA_TESTS, load_plan
from indicators.registry import docs_table, load_registry
from tests.conftest import LoadedSample
from tests.indicators.conftest import CASES_DIR, load_cases

ROOT = Path(__file__).resolve().parents[2]
REGISTRY = load_registry()
FRAMEWORK_FILES = {
    "000_4ab8a62d9effddd8.txt",
    "001_c8a4eb03005f1d3d.txt",
    "002_47b674de06dea954.txt",
    "003_91ea525606d8a4aa.txt",
    "004_78e87d14289f5601.txt",
}
CITATION = re.compile(r"\d{3}_[0-9a-f]{16}\.txt")
INCREMENTAL = SQL_DIR / "incremental"


def sql(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def header(path: Path) -> str:
    lines = path.read_text(encoding="utf-8").splitlines()
    return "\n".join(line for line in lines if line.startswith("--"))


def cte(text: str, name: str) -> str:
    """The body of one CTE of a SQL file, up to the next top-level CTE."""
    match = re.search(rf"^{name} as \(\n(.*?)^\)", text, re.M | re.S)
    assert match, name
    return match.group(1)


def test_codes_agree_everywhere() -> None:
    assert len(REGISTRY.criteria) == 34 and len(REGISTRY.headlines) == 10
    assert set(REGISTRY.codes) == set(CRITERION_CODES)  # the eh_needs / eh_outcomes contract
    assert set(load_plan().criteria) == set(REGISTRY.codes)
    assert {c.headline for c in REGISTRY.criteria.values()} == set(REGISTRY.headlines)
    assert set(load_plan().derived_criteria) <= {c.code for c in REGISTRY.criteria.values()
                                                  if c.derivable}  # fmt: skip


def test_data_tests_are_the_criteria_the_outcome_models_test() -> None:
    """plan.DATA_TESTS, read from the registry, against the criteria the SQL of the outcome
    models unioned into outcome_data_test.sql actually names: a criterion given an outcome
    model its SQL never tests (or tested by SQL the registry does not list) fails here."""
    models = re.findall(r"from (outcome_\w+)", sql("outcome_data_test"))
    named = {code for model in models for code in re.findall(r"'([A-Z]{2,3}\d)'", sql(model))}
    assert DATA_TESTS and set(DATA_TESTS) == named & set(REGISTRY.codes)


def test_run_order_comes_from_the_registry() -> None:
    needs = [m for m in INDICATOR_MODELS if m.startswith("need_") and m != "need_subject"]
    assert needs == [*REGISTRY.need_models, "need_recorded"]
    outcomes = [m for m in INDICATOR_MODELS if m.startswith("outcome_")]
    assert outcomes == [*REGISTRY.outcome_model_order, "outcome_data_test"]
    assert set(REGISTRY.outcome_models) == set(REGISTRY.outcome_model_order)


def test_unions_list_exactly_the_registry_models() -> None:
    unioned = re.findall(r"from (need_\w+)", cte(sql("family_need"), "with derived"))
    assert sorted(unioned) == sorted(REGISTRY.need_models)
    unioned = re.findall(r"from (outcome_\w+)", sql("outcome_data_test"))
    assert sorted(unioned) == sorted(REGISTRY.outcome_model_order)


@pytest.mark.parametrize("code", REGISTRY.codes)
def test_each_criterion_has_its_sql_citing_the_framework(code: str) -> None:
    criterion = REGISTRY.criteria[code]
    for model in filter(None, (criterion.need_model, criterion.outcome_model)):
        path = SQL_DIR / f"{model}.sql"
        assert path.exists(), f"{code}: no {path.name}"
        text = header(path)
        assert set(CITATION.findall(text)) <= FRAMEWORK_FILES and CITATION.search(text), model
        assert model in INDICATOR_MODELS
    if criterion.need_model and criterion.need_model != "need_attendance":
        assert f"'{code}'" in sql(criterion.need_model)
    if criterion.outcome_model and code not in ("EDU1", "EDU2"):
        assert f"'{code}'" in sql(criterion.outcome_model), (code, criterion.outcome_model)


def test_sql_parameters_agree_with_the_registry() -> None:
    """Each criterion's parameters are read by its models; each model reads no others."""
    thresholds = set(load_plan().thresholds) | set(load_plan().gates)
    used_by: dict[str, set[str]] = {}
    for criterion in REGISTRY.criteria.values():
        models = [m for m in (criterion.need_model, criterion.outcome_model) if m]
        read = set().union(*(sql_parameters(sql(m)) for m in models)) if models else set()
        listed = set(criterion.parameters)
        assert listed <= thresholds, (criterion.code, listed - thresholds)
        assert listed <= read, (criterion.code, "listed but not read", listed - read)
        for model in models:
            used_by.setdefault(model, set()).update(listed)
    for model, listed in used_by.items():
        extra = sql_parameters(sql(model)) - {"as_of"} - listed
        assert extra == set(), (model, "reads parameters no criterion lists", extra)


def test_case_files_named_by_the_registry_pin_their_criterion() -> None:
    cases = load_cases()
    files = {p.name for p in CASES_DIR.glob("*.yaml")}
    for criterion in REGISTRY.criteria.values():
        assert criterion.cases, f"{criterion.code}: no case file named"
        for name in criterion.cases:
            assert name in files, (criterion.code, name)
            mentioned = [c for c in cases if c["file"] == name and criterion.code in str(c)]
            assert mentioned, f"{criterion.code}: {name} has no case about it"
    expected_needs = {n[0] for c in cases for n in c.get("expect", {}).get("needs", [])}
    derivable = {c.code for c in REGISTRY.criteria.values() if c.derivable}
    assert derivable - expected_needs == set(), "derived criteria without a need case"
    tested = {
        code
        for c in cases
        for expect in [c.get("expect", {}), *c.get("expect_by_plan", {}).values()]
        for code in expect.get("outcomes", {})
    }
    assert set(REGISTRY.data_tests) - tested == set(), "data tests without an outcome case"


def test_docs_table_is_the_registry() -> None:
    doc = (ROOT / "docs" / "indicators.md").read_text(encoding="utf-8")
    assert docs_table() in doc, "docs/indicators.md: regenerate the criteria table " + (
        "(python -c 'from indicators.registry import docs_table; print(docs_table())')"
    )


def test_interpretation_notes_exist() -> None:
    doc = (ROOT / "docs" / "interpretations.md").read_text(encoding="utf-8")
    topics = set(re.findall(r"^\| ([^|]+?) \|", doc, re.M))
    for criterion in REGISTRY.criteria.values():
        missing = [note for note in criterion.notes if note not in topics]
        assert missing == [], (criterion.code, missing)


def test_incremental_and_coverage_watch_the_registry_feeds() -> None:
    person = (INCREMENTAL / "affected_person.sql").read_text(encoding="utf-8")
    for part in ("batch_record", "dated_record"):
        feeds = re.findall(r"from stg_(\w+?)(?:_all)?\b", cte(person, part))
        assert sorted(set(feeds)) == sorted(REGISTRY.feeds), part
    coverage = re.findall(r"from stg_(\w+) where", sql("feed_coverage"))
    assert sorted(coverage) == sorted(REGISTRY.feeds)
    case = (INCREMENTAL / "affected_case.sql").read_text(encoding="utf-8")
    as_of_case = cte(case, "as_of_case")
    moved = set(re.findall(r"from (outcome_\w+), span where span.moved", as_of_case))
    assert moved == set(REGISTRY.models_recomputed_when("as_of"))
    latest = set(re.findall(r"from (\w+) where \$attendance_latest_moved", as_of_case))
    assert set(REGISTRY.models_recomputed_when("latest_term")) <= latest


def test_every_model_file_is_run_and_declares_its_grain() -> None:
    files = {p.stem for p in SQL_DIR.glob("*.sql")}
    assert files == set(INDICATOR_MODELS)
    for name in INDICATOR_MODELS:
        text = header(SQL_DIR / f"{name}.sql")
        assert re.search(r"^-- grain: ", text, re.M), name
        plumbing = ("need_subject", "outcome_data_test")
        cited = name.startswith(("need_", "outcome_", "measure_")) or name in CASE_SUPPORT_MODELS
        if cited and name not in plumbing and name != "member_police_event":
            assert CITATION.search(text), f"{name}: no framework source named"


def declared_grain(name: str) -> list[str]:
    line = re.search(r"^-- grain: (.*)$", header(SQL_DIR / f"{name}.sql"), re.M)
    assert line
    return [c.strip() for c in re.sub(r"\(.*?\)", "", line.group(1)).split(",")]


def test_every_model_is_unique_on_its_grain(
    loaded_sample: LoadedSample, sample_con: duckdb.DuckDBPyConnection
) -> None:
    decide_cases(sample_con, load_plan(), loaded_sample.as_of)
    for name in INDICATOR_MODELS:
        columns = ", ".join(declared_grain(name))
        duplicates = sample_con.execute(
            f"select count(*) from (select {columns} from {name} group by all having count(*) > 1)"
        ).fetchall()
        assert duplicates == [(0,)], name

"""Every criterion the plan derives has its SQL, its cases and its docs; every model its grain.

Fails when a criterion is added to derived_in_this_release without a need file, a
given/expected case or a line in docs/indicators.md, or a model file is not run.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from claims.decide import decide_cases
from indicators.plan import DATA_TESTS, load_plan
from indicators.runner import INDICATOR_MODELS, SQL_DIR
from tests.conftest import LoadedSample
from tests.indicators.conftest import load_cases

ROOT = Path(__file__).resolve().parents[2]
FRAMEWORK_FILES = {
    "000_4ab8a62d9effddd8.txt",
    "001_c8a4eb03005f1d3d.txt",
    "002_47b674de06dea954.txt",
    "003_91ea525606d8a4aa.txt",
    "004_78e87d14289f5601.txt",
}
CITATION = re.compile(r"\d{3}_[0-9a-f]{16}\.txt")


def need_file(code: str) -> Path:
    return SQL_DIR / (
        "need_attendance.sql" if code in ("EDU1", "EDU2") else f"need_{code.lower()}.sql"
    )


def header(path: Path) -> str:
    lines = path.read_text(encoding="utf-8").splitlines()
    return "\n".join(line for line in lines if line.startswith("--"))


@pytest.mark.parametrize("code", load_plan().derived_criteria)
def test_derived_criterion_has_sql_citing_the_framework(code: str) -> None:
    path = need_file(code)
    assert path.exists(), f"{code}: no {path.name}"
    text = header(path)
    assert code in text
    assert set(CITATION.findall(text)) <= FRAMEWORK_FILES and CITATION.search(text)
    assert path.stem in INDICATOR_MODELS


def test_every_derived_criterion_has_a_given_expected_case() -> None:
    covered = {need[0] for case in load_cases() for need in case["expect"].get("needs", [])}
    assert set(load_plan().derived_criteria) - covered == set()


def test_every_data_test_is_in_an_outcome_file_and_has_a_case() -> None:
    outcome_sql = " ".join(p.read_text() for p in SQL_DIR.glob("outcome_*.sql"))
    tested = {c for case in load_cases() for c in case["expect"].get("outcomes", {})}
    for code in DATA_TESTS:
        assert f"'{code}'" in outcome_sql or code in ("EDU1", "EDU2"), code
        assert code in tested, f"{code}: no case checks its outcome"


def test_every_criterion_is_documented() -> None:
    doc = (ROOT / "docs" / "indicators.md").read_text(encoding="utf-8")
    missing = [code for code in load_plan().criteria if f"| {code} |" not in doc]
    assert missing == []


def test_every_model_file_is_run_and_declares_its_grain() -> None:
    files = {p.stem for p in SQL_DIR.glob("*.sql")}
    assert files == set(INDICATOR_MODELS)
    for name in INDICATOR_MODELS:
        text = header(SQL_DIR / f"{name}.sql")
        assert re.search(r"^-- grain: ", text, re.M), name
        plumbing = ("need_subject", "outcome_data_test")
        if name.startswith(("need_", "outcome_", "measure_")) and name not in plumbing:
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

"""Rendering the model for another dialect, and refusing what cannot be scored; no Spark."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from splink import DuckDBAPI, Linker

from matching import spark_engine
from matching.model import person_settings
from matching.pair_scoring import ModelMismatch, render_settings, translate_condition


def _saved_model(tmp_path: Path) -> Path:
    """A model saved from DuckDB with m values changed, as training would change them."""
    frame = pd.DataFrame({"record_id": ["a", "b"], "forename": ["x", "y"]})
    linker = Linker(DuckDBAPI(duckdb.connect()).register(frame), person_settings(0.002))
    path = tmp_path / "model.json"
    linker.misc.save_model_to_json(str(path), overwrite=True)
    saved = json.loads(path.read_text())
    saved["comparisons"][0]["comparison_levels"][3]["m_probability"] = 0.123
    path.write_text(json.dumps(saved))
    return path


def test_conditions_render_for_spark() -> None:
    jw = translate_condition('jaro_winkler_similarity("forename_l", "forename_r") >= 0.92', "spark")
    assert jw == "JARO_WINKLER(`forename_l`, `forename_r`) >= 0.92"
    dl = translate_condition(
        'damerau_levenshtein(CAST("dob_l" AS VARCHAR), CAST("dob_r" AS VARCHAR)) <= 1', "spark"
    )
    assert dl == "DAMERAU_LEVENSHTEIN(CAST(`dob_l` AS STRING), CAST(`dob_r` AS STRING)) <= 1"
    assert translate_condition("ELSE", "spark") == "ELSE"


def test_rendered_settings_carry_the_saved_parameters(tmp_path: Path) -> None:
    rendered = render_settings(_saved_model(tmp_path), "spark")
    assert rendered["probability_two_random_records_match"] == 0.002
    forename = rendered["comparisons"][0]["comparison_levels"]
    assert forename[3]["m_probability"] == 0.123
    assert forename[1]["tf_adjustment_column"] == "forename"
    conditions = [
        level["sql_condition"]
        for comparison in rendered["comparisons"]
        for level in comparison["comparison_levels"]
    ]
    # Double quotes are string literals in Spark SQL: none may survive the rendering.
    assert not [c for c in conditions if '"' in c]
    assert all(
        "sql_dialect" not in rule or rule["sql_dialect"] == "spark"
        for rule in rendered["blocking_rules_to_generate_predictions"]
    )


def test_a_model_of_another_version_is_refused(tmp_path: Path) -> None:
    path = _saved_model(tmp_path)
    saved = json.loads(path.read_text())
    saved["comparisons"][2]["comparison_levels"][1]["sql_condition"] = '"dob_l" <> "dob_r"'
    path.write_text(json.dumps(saved))
    with pytest.raises(ModelMismatch, match="model.json: its comparisons differ"):
        render_settings(path, "spark")


def test_missing_pyspark_gives_the_install_line(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("pyspark", "pyspark.sql", "splink.backends.spark"):
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(spark_engine.SparkUnavailable) as raised:
        spark_engine.spark_session.__wrapped__()
    assert "pip install -e '.[spark]'" in str(raised.value)
    assert "\n" not in str(raised.value)

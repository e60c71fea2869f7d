"""Training: a re-run from the saved model gives the same links; small data falls back."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import duckdb
import pytest

from data_contracts.warehouse import connect
from matching.link import LinkOptions, link_warehouse_run
from matching.model import FORENAME_M
from matching.training import TrainingOptions
from tests.conftest import LoadedSample

TRAIN_SMALL = LinkOptions(training=TrainingOptions(min_training_records=100))


def _links(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str, str]]:
    return con.execute("select * from person_link order by source, source_record_id").fetchall()


def test_rerun_from_the_saved_model_gives_identical_links(
    loaded_sample: LoadedSample, sample_con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    models = tmp_path / "models"
    original = link_warehouse_run(sample_con, 0.95, models, TRAIN_SMALL)
    assert original.model_source == "trained"
    saved = models / f"person-model-run-{original.run_id}.json"
    trained = json.loads(saved.read_text())
    forename_exact = trained["comparisons"][0]["comparison_levels"][1]
    assert forename_exact["m_probability"] != FORENAME_M[0]  # EM moved it: really trained

    audit_copy = tmp_path / "audit.duckdb"
    audit_copy.write_bytes(loaded_sample.warehouse.read_bytes())
    with connect(audit_copy) as audit:
        rerun = link_warehouse_run(audit, 0.95, tmp_path / "audit-models", TRAIN_SMALL, saved)
        assert rerun.model_source == f"loaded {saved.name}"
        assert _links(audit) == _links(sample_con)
        assert audit.execute(
            "select model_source from link_run where run_id = $r", {"r": rerun.run_id}
        ).fetchall() == [("loaded",)]


def test_training_twice_with_the_same_seed_gives_the_same_links(
    loaded_sample: LoadedSample, sample_con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    link_warehouse_run(sample_con, 0.95, None, TRAIN_SMALL)
    again = tmp_path / "again.duckdb"
    again.write_bytes(loaded_sample.warehouse.read_bytes())
    with connect(again) as con:
        link_warehouse_run(con, 0.95, None, TRAIN_SMALL)
        assert _links(con) == _links(sample_con)


def test_too_few_records_fall_back_to_the_shipped_model_and_say_so(
    sample_con: duckdb.DuckDBPyConnection, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    identities = sample_con.execute("select count(distinct record_id) from person_link").fetchall()
    assert identities[0][0] < LinkOptions().training.min_training_records
    with caplog.at_level(logging.INFO, logger="matching"):
        result = link_warehouse_run(sample_con, 0.95, tmp_path / "models", rebuild=True)
    assert result.mode == "full"
    assert result.model_source.startswith("shipped (too few records to train:")
    assert any("shipped (too few records" in r.getMessage() for r in caplog.records)
    row = sample_con.execute(
        "select model_source, note, identities from link_run where run_id = $r",
        {"r": result.run_id},
    ).fetchall()
    assert row[0][0] == "shipped" and f"{row[0][2]} < 5000" in row[0][1]
    saved = json.loads((tmp_path / "models" / f"person-model-run-{result.run_id}.json").read_text())
    levels = saved["comparisons"][0]["comparison_levels"]
    assert [level.get("m_probability") for level in levels[1:]] == FORENAME_M

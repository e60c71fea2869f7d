"""Training: a re-run from the saved model gives the same links; small data falls back."""

from __future__ import annotations

import json
import logging
import re
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


def test_splink_warnings_are_one_line_and_each_linkage_step_logs_its_counts(
    sample_con: duckdb.DuckDBPyConnection, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        result = link_warehouse_run(sample_con, 0.95, None, TRAIN_SMALL, rebuild=True)
    assert result.model_source.startswith("trained")
    # None of Splink's own warnings reaches a handler (the terminal, Prefect's log) ...
    splink_warnings = [
        r for r in caplog.records if r.name.startswith("splink") and r.levelno >= logging.WARNING
    ]
    assert splink_warnings == []
    # ... each is kept at DEBUG, and one INFO line counts them.
    kept = [r for r in caplog.records if ": Splink: " in r.getMessage()]
    assert kept and {r.levelno for r in kept} == {logging.DEBUG}
    summaries = [r for r in caplog.records if "Splink warnings" in r.getMessage()]
    assert len(summaries) == 1 and summaries[0].levelno == logging.INFO
    counted = re.search(r": (\d+) Splink warnings \((\d+) comparison", summaries[0].getMessage())
    assert counted is not None and int(counted.group(1)) == len(kept)
    unseen = sum("not observed in dataset" in r.getMessage() for r in kept)
    assert int(counted.group(2)) == unseen
    # One line per step, with its counts.
    messages = [r.getMessage() for r in caplog.records if r.name.startswith("matching")]
    identities = sample_con.execute("select count(*) from link_identity").fetchall()[0][0]
    people = sample_con.execute("select count(distinct person_id) from person_link").fetchall()
    for step, count in (
        ("linkage normalise: ", f"{identities} distinct identities"),
        ("linkage block and score (identity, duckdb): ", "pairs at or above"),
        ("linkage cluster: ", f"{identities} identities into"),
        ("linkage stable IDs: ", f"{people[0][0]} people named for {identities} identities"),
    ):
        lines = [m for m in messages if m.startswith(step)]
        assert len(lines) == 1 and count in lines[0] and lines[0].endswith(" s"), (step, lines)

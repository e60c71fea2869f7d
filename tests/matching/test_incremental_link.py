"""An incremental linkage run gives exactly what a full rescoring with the same model gives.

Night one loads the council's files before the last month and links everything (training a model
with name frequencies). Night two adds the last month and re-sends one earlier file with
a corrected row (an identity disappears, a new one appears). Warehouse A links night two
incrementally; warehouse B, a copy of A as it was after night one, rescores every pair
with night one's saved model. Their people, pairs, review pairs and families must agree.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import duckdb
import pytest

from data_contracts.ingest import ingest_inbox
from data_contracts.warehouse import connect
from matching.link import LinkOptions, link_warehouse_run
from matching.training import TrainingOptions
from sample_data.nights import split_last_month
from tests.conftest import LoadedSample

pytestmark = pytest.mark.slow  # a whole pipeline (or Spark) per test: `make test`, not test-fast

# A wide review band, so the uncertain pairs compared are not an empty set.
TRAIN_SMALL = LinkOptions(
    review_band=(0.001, 0.95), training=TrainingOptions(min_training_records=100)
)
COMPARED = {
    "person_link": "select * from person_link",
    "link_pair": "select * from link_pair",
    "candidate_family": "select * from candidate_family",
    "review pairs of the night": "select * exclude (run_id) from person_review_pair"
    " where run_id = (select max(run_id) from link_run)",
    "registry": "select person_id, record_id from person_registry",
}


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[object, ...]]:
    return sorted(con.execute(sql).fetchall(), key=repr)


def _resend_with_a_corrected_surname(night_one: Path, night_two: Path) -> None:
    """Re-send night one's first police file with one person's surname corrected."""
    original = sorted((night_one / "police").glob("*.csv"))[0]
    with original.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    rows[0]["surname"] = rows[0]["surname"] + "-smith"
    resent = night_two / "police" / original.name
    with resent.open("w", newline="", encoding="utf-8") as handle:
        out = csv.DictWriter(handle, fieldnames=list(rows[0]))
        out.writeheader()
        out.writerows(rows)


@pytest.fixture(scope="module")
def two_nights(loaded_sample: LoadedSample, tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("incremental")
    night_one, night_two = folder / "night1", folder / "night2"
    split_last_month(loaded_sample.folder / "inbox", night_one, night_two)
    _resend_with_a_corrected_surname(night_one, night_two)
    incremental, full = folder / "incremental.duckdb", folder / "full.duckdb"
    models = folder / "models"
    with connect(incremental) as con:
        ingest_inbox(con, night_one)
        first = link_warehouse_run(con, 0.95, models, TRAIN_SMALL)
    shutil.copy(incremental, full)
    with connect(incremental) as con:
        ingest_inbox(con, night_two)
        second = link_warehouse_run(con, 0.95, models / "incremental", TRAIN_SMALL)
    saved = models / f"person-model-run-{first.run_id}.json"
    with connect(full) as con:
        ingest_inbox(con, night_two)
        rebuilt = link_warehouse_run(con, 0.95, models / "full", TRAIN_SMALL, saved)
    return first, second, rebuilt, incremental, full


def test_night_two_scores_only_new_identities(two_nights) -> None:
    first, second, rebuilt, incremental, _ = two_nights
    assert first.mode == "full" and first.model_source == "trained"
    assert second.mode == "incremental"
    assert rebuilt.mode == "full"
    with connect(incremental) as con:
        identities, new = con.execute(
            "select identities, new_identities from link_run where run_id = $r",
            {"r": second.run_id},
        ).fetchall()[0]
    assert 0 < new < identities / 4  # one month of new rows, not the whole council


@pytest.mark.parametrize("table", sorted(COMPARED))
def test_incremental_run_equals_a_full_rescoring_with_the_same_model(two_nights, table) -> None:
    _, _, _, incremental, full = two_nights
    with connect(incremental) as inc, connect(full) as ful:
        got, expected = _rows(inc, COMPARED[table]), _rows(ful, COMPARED[table])
    assert got, f"{table} is empty: the comparison would prove nothing"
    missing = [row for row in expected if row not in set(got)][:3]
    extra = [row for row in got if row not in set(expected)][:3]
    assert got == expected, f"{table}: missing {missing}, extra {extra}"


def test_the_corrected_row_left_its_old_identity_behind(two_nights) -> None:
    _, _, _, incremental, _ = two_nights
    with connect(incremental) as con:
        stale = con.execute(
            "select count(*) from link_pair where record_id_l not in"
            " (select record_id from link_identity) or record_id_r not in"
            " (select record_id from link_identity)"
        ).fetchall()[0][0]
        hyphenated = con.execute(
            "select count(*) from link_identity where surname like '%smith' and source = 'police'"
        ).fetchall()[0][0]
    assert stale == 0
    assert hyphenated >= 1


def test_a_killed_incremental_run_leaves_the_previous_state(
    two_nights, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The run's writes are one transaction: an error before commit changes nothing."""
    _, _, _, incremental, _ = two_nights
    copy = tmp_path / "copy.duckdb"
    shutil.copy(incremental, copy)
    import matching.link as link

    def fail(*_args: object) -> int:
        raise RuntimeError("killed")

    monkeypatch.setattr(link, "build_candidate_families", fail)
    with connect(copy) as con:
        before = {name: _rows(con, sql) for name, sql in COMPARED.items()}
        runs = con.execute("select count(*) from link_run").fetchall()
        with pytest.raises(RuntimeError, match="killed"):
            link_warehouse_run(con, 0.95, None, TRAIN_SMALL, rebuild=True)
        assert {name: _rows(con, sql) for name, sql in COMPARED.items()} == before
        assert con.execute("select count(*) from link_run").fetchall() == runs


def test_saved_name_frequencies_come_back_exactly_and_hold_no_name(tmp_path: Path) -> None:
    """Names are saved as salted digests; scoring finds every frequency again, exactly."""
    import pandas as pd

    from matching.scoring_state import (
        FrozenModel,
        hashed_frequencies,
        load_term_frequencies,
        lookup_tables,
        save_model_files,
    )

    plain = {
        "forename": pd.DataFrame(
            {"forename": ["nan", "null", "amy", "zoë"], "tf_forename": [0.1, 0.2, 1 / 3, 0.05]}
        ),
        "surname": pd.DataFrame({"surname": ["na"], "tf_surname": [0.1 + 0.2]}),
    }
    salt, hashed = hashed_frequencies(plain)
    model_file = tmp_path / "person-model-run-1.json"
    save_model_files(FrozenModel({"comparisons": []}, hashed, "trained", salt), model_file)
    saved_text = (tmp_path / "person-model-run-1-term-frequencies.csv").read_text()
    for name in ("amy", "null", "zoë", '"na"'):
        assert name not in saved_text
    loaded = load_term_frequencies(model_file)
    assert loaded is not None
    loaded_salt, frames = loaded
    assert loaded_salt == salt and sorted(frames) == ["forename", "surname"]
    con = duckdb.connect()
    con.execute(
        "create table met as select * from (values ('amy', 'na'), ('nan', 'x'),"
        " ('zoë', null), ('bob', 'na')) t(forename, surname)"
    )
    lookups = lookup_tables(con, FrozenModel({}, frames, "trained", loaded_salt), ["met"])
    assert lookups["forename"].to_dict("list") == {
        "forename": ["amy", "nan", "zoë"],
        "tf_forename": [1 / 3, 0.1, 0.05],
    }
    assert lookups["surname"].to_dict("list") == {"surname": ["na"], "tf_surname": [0.1 + 0.2]}
    assert load_term_frequencies(tmp_path / "older-model.json") is None


def test_incremental_night_gives_a_full_rebuilds_person_and_family_ids(two_nights) -> None:
    """Row by row, the person and family each source row is given, the registries and the
    merges and splits recorded: what rebuilding every row with the same model gives."""
    _, _, _, incremental, full = two_nights
    compared = {
        "person of each row": "select source, source_record_id, record_id, person_id"
        " from person_link",
        "family of each person": "select candidate_family_id, person_id from candidate_family",
        "person registry": "select * from person_registry",
        "family registry": "select * from candidate_family_registry",
        "merges and splits": "select * from stable_id_change",
        "normalised rows kept": "select * from link_row",
        "identities kept": "select * from link_identity",
    }
    with connect(incremental) as inc, connect(full) as ful:
        for name, sql in compared.items():
            got, expected = _rows(inc, sql), _rows(ful, sql)
            assert got == expected, name
        assert _rows(inc, "select count(*) from link_row") == _rows(
            inc, "select count(*) from person_link"
        )


def test_incremental_night_normalises_only_rows_not_linked_before(two_nights) -> None:
    """The second night's work connection holds only the new and re-sent rows normalised;
    every staged row still has its identity, the re-sent row under its new one."""
    from matching.normalise import normalised_person_rows

    _, _, _, incremental, _ = two_nights
    with connect(incremental) as con:
        # After night two everything is linked: a third night with nothing new normalises
        # nothing and keeps every row's identity.
        work = normalised_person_rows(con, kept_rows=True)
        assert _rows(work, "select count(*) from normalised_row") == [(0,)]
        assert _rows(work, "select count(*) from gone_row") == [(0,)]
        assert _rows(work, "select source, source_record_id, record_id from row_record") == (
            _rows(con, "select source, source_record_id, record_id from person_link")
        )
        assert _rows(work, "select count(*) from identity") == _rows(
            con, "select count(distinct record_id) from person_link"
        )
        work.close()
        # A row changed in the warehouse is normalised again under its new values.
        police = con.execute(
            "select source_record_id from person_link where source = 'police'"
            " order by source_record_id limit 1"
        ).fetchall()[0][0]
        con.execute(
            "update stg_police_all set surname = 'Zzyzx' where source_record_id = ?", [police]
        )
        work = normalised_person_rows(con, kept_rows=True)
        assert _rows(work, "select source_record_id, surname from normalised_row") == [
            (police, "zzyzx")
        ]
        assert _rows(work, "select source_record_id from gone_row") == [(police,)]
        work.close()

"""Assurance packs: every source row a pack names is in its inbox file at its line, the
sample is a spot check's (re-claims, then near a threshold, then at random, by seed), and
the packs' personal data stays in their private folder."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import re
import stat
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from claims.assurance import (
    MARKER,
    AssuranceError,
    AssuranceResult,
    assurance_packs,
    sample_families,
)
from claims.ledger import LedgerError
from claims.submission import run_claim
from indicators.plan import load_plan
from tests.conftest import LoadedSample

SOURCE_ROWS = re.compile(r'<script type="application/json" id="source-rows">(.*?)</script>', re.S)


def _submitted(sample_con: duckdb.DuckDBPyConnection, as_of: date, folder: Path) -> Path:
    """The sample council's period submitted; the warehouse file behind `sample_con`."""
    run_claim(sample_con, load_plan(), as_of, folder / "claim.xlsx", submit=True)
    sample_con.execute("checkpoint")
    [(path,)] = sample_con.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchall()
    return Path(path)


@pytest.fixture()
def packs(
    loaded_sample: LoadedSample, sample_con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> tuple[AssuranceResult, Path]:
    warehouse = _submitted(sample_con, loaded_sample.as_of, tmp_path)
    result = assurance_packs(warehouse, loaded_sample.as_of, tmp_path / "packs", 6, seed=3)
    return result, warehouse


def _source_rows(page: Path) -> list[dict[str, object]]:
    found = SOURCE_ROWS.search(page.read_text(encoding="utf-8"))
    assert found, page
    return list(json.loads(found.group(1)))


def _record_at(path: Path, line: int) -> dict[str, str]:
    """The file's record at `line` as the reader counts lines (1 is the header)."""
    records = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    return dict(zip(records[0], records[line - 1], strict=True))


def test_every_source_row_a_pack_names_is_in_its_inbox_file_at_that_line(
    loaded_sample: LoadedSample,
    sample_con: duckdb.DuckDBPyConnection,
    packs: tuple[AssuranceResult, Path],
) -> None:
    result, _ = packs
    assert len(result.sampled) == 6 and result.claimed > 6
    checked = 0
    for family in result.sampled:
        page = result.folder / f"family-{family.family_id}.html"
        rows = _source_rows(page)
        needs = sample_con.execute(
            "select count(*), list(distinct x) from family_need_outcome, "
            "unnest(source_record_ids) t(x) where case_id = ?",
            [family.case_id],
        ).fetchone()
        assert needs is not None
        cited = {str(row["row"]) for row in rows}
        assert set(needs[1]) <= cited  # every need's and outcome's rows are in the pack
        members = sample_con.execute(
            "select list(source_record_id) from stg_eh_members where case_id = ?",
            [family.case_id],
        ).fetchone()
        assert members is not None and set(members[0]) <= cited
        for row in rows:
            path = loaded_sample.folder / "inbox" / str(row["folder"]) / str(row["file"])
            assert hashlib.sha256(path.read_bytes()).hexdigest() == row["file_sha256"]
            record = _record_at(path, int(str(row["line"])))
            values = dict(row["values"])  # type: ignore[call-overload]
            assert values and {k: record.get(k, "") for k in values} == values, row["row"]
            checked += 1
        text = page.read_text(encoding="utf-8")
        assert family.case_id in text and "Needs and outcomes" in text
    assert checked > 6 * 5


def test_the_packs_folder_is_private_and_nothing_personal_leaves_it(
    loaded_sample: LoadedSample,
    sample_con: duckdb.DuckDBPyConnection,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    warehouse = _submitted(sample_con, loaded_sample.as_of, tmp_path)
    before = set(tmp_path.iterdir())
    out = tmp_path / "packs"
    with caplog.at_level(logging.DEBUG):
        result = assurance_packs(warehouse, loaded_sample.as_of, out, 4, seed=1)
    assert set(tmp_path.iterdir()) - before == {out}
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    written = sorted(p for p in out.rglob("*"))
    assert [p.name for p in written if p.is_dir()] == [loaded_sample.as_of.isoformat()]
    for path in written:
        assert stat.S_IMODE(path.stat().st_mode) == (0o700 if path.is_dir() else 0o600), path
    pages = sorted(p.name for p in result.folder.iterdir())
    assert pages == sorted(["index.html", *(f"family-{f.family_id}.html" for f in result.sampled)])
    # The packs name people; the log does not.
    surnames = {
        s for (s,) in sample_con.execute("select distinct surname from stg_eh_members").fetchall()
    }
    packed = " ".join(p.read_text(encoding="utf-8") for p in result.folder.glob("family-*"))
    assert any(name in packed for name in surnames)
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert not [name for name in surnames if re.search(rf"\b{re.escape(name)}\b", logged)]
    # Again into the same folder: allowed (it holds packs), and the same bytes.
    index = result.index.read_bytes()
    pack = (result.folder / f"family-{result.sampled[0].family_id}.html").read_bytes()
    assurance_packs(warehouse, loaded_sample.as_of, out, 4, seed=1)
    assert result.index.read_bytes() == index
    assert (result.folder / f"family-{result.sampled[0].family_id}.html").read_bytes() == pack
    # Another sample replaces the first: the folder holds the packs its index lists.
    other = assurance_packs(warehouse, loaded_sample.as_of, out, 2, seed=99)
    pages = sorted(p.name for p in other.folder.glob("family-*.html"))
    assert pages == sorted(f"family-{f.family_id}.html" for f in other.sampled)


def test_a_folder_it_did_not_make_and_an_unsubmitted_period_are_refused(
    loaded_sample: LoadedSample, sample_con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    warehouse = _submitted(sample_con, loaded_sample.as_of, tmp_path)
    mine = tmp_path / "mine"
    mine.mkdir()
    with pytest.raises(AssuranceError, match="holds no assurance packs"):
        assurance_packs(warehouse, loaded_sample.as_of, mine, 2)
    assert list(mine.iterdir()) == []
    with pytest.raises(LedgerError, match="no submission for the period ending 2025-06-30"):
        assurance_packs(warehouse, date(2025, 6, 30), tmp_path / "other", 2)
    assert not (tmp_path / "other").exists()
    (mine / MARKER).write_text("", encoding="utf-8")
    assert assurance_packs(warehouse, loaded_sample.as_of, mine, 2).sampled


def _claimed(rows: list[tuple[str, bool, int, str]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["family_id", "reclaim", "headline_count", "closed"])
    frame["case_id"] = "C" + frame["family_id"]
    frame["closed_date"] = pd.to_datetime(frame["closed"])
    return frame.drop(columns="closed")


def test_the_sample_takes_reclaims_then_near_thresholds_then_a_seeded_random_draw() -> None:
    plan = load_plan()
    as_of = date(2025, 9, 30)
    claimed = _claimed(
        [
            *((f"R{n}", True, 4, "2024-06-01") for n in range(2)),  # re-claims
            ("N1", False, 3, "2024-06-01"),  # exactly the minimum of 3 headlines
            ("N2", False, 5, "2025-03-20"),  # closed 11 days before the 6-month line
            *((f"F{n:02}", False, 4, "2024-06-01") for n in range(20)),
        ]
    )
    sample = sample_families(claimed, plan, as_of, 8, seed=7)
    assert {s.family_id for s in sample[:2]} == {"R0", "R1"}
    assert {s.why for s in sample[:2]} == {"re-claim"}
    assert {s.family_id for s in sample[2:4]} == {"N1", "N2"}
    assert "exactly 3 headline outcomes" in next(s.why for s in sample if s.family_id == "N1")
    assert "within a month of the gate 5 line" in next(s.why for s in sample if s.family_id == "N2")
    drawn = [s.family_id for s in sample[4:]]
    assert len(drawn) == 4 and all(f.startswith("F") for f in drawn)
    assert {s.why for s in sample[4:]} == {"at random"}
    assert [s.family_id for s in sample_families(claimed, plan, as_of, 8, seed=7)] == [
        s.family_id for s in sample
    ]
    others = {
        tuple(s.family_id for s in sample_families(claimed, plan, as_of, 8, seed=seed)[4:])
        for seed in range(8, 14)
    }
    assert len(others) > 1  # another seed, another draw
    assert len(sample_families(claimed, plan, as_of, 1, seed=7)) == 1
    assert sample_families(claimed, plan, as_of, 1, seed=7)[0].why == "re-claim"

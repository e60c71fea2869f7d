"""`sfp review-import` through the command line: mistakes are one line, decisions land."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from data_contracts.warehouse import connect
from matching.review import render_review_workbook
from tests.cli_runner import Ran, run_sfp


def _decided(path: Path, decision: str) -> Path:
    frame = pd.DataFrame({"record_id_l": ["R1"], "record_id_r": ["R2"], "decision": [decision]})
    path.write_bytes(render_review_workbook(frame))
    return path


def test_review_import_mistakes_are_one_line(tmp_path: Path) -> None:
    connect(tmp_path / "w.duckdb").close()
    _decided(tmp_path / "bad.xlsx", "yes please")
    for args, message in (
        (["review-import", "bad.xlsx", "--warehouse", "missing.duckdb"], "warehouse not found"),
        (["review-import", "none.xlsx", "--warehouse", "w.duckdb"], "review file not found"),
        (
            ["review-import", "bad.xlsx", "--warehouse", "w.duckdb"],
            "bad.xlsx: row 2, column decision: expected 'link', 'no link' or blank",
        ),
        (["nightly", "--inbox", ".", "--model", "no-model.json"], "no-model.json: saved person"),
    ):
        result = run_sfp(*args, cwd=tmp_path)
        assert result.returncode == 2, result.stderr
        assert message in result.stderr
        assert "Traceback" not in result.stderr


def test_review_import_records_the_decisions(tmp_path: Path, sfp: Callable[..., Ran]) -> None:
    with connect(tmp_path / "w.duckdb") as con:  # the pair a nightly run sent for review
        con.execute(
            "create table person_review_pair as select 'R1' as record_id_l, 'R2' as record_id_r"
        )
    _decided(tmp_path / "decided.xlsx", "no link")
    result = sfp("review-import", "decided.xlsx", "--warehouse", "w.duckdb", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "decided.xlsx: 1 decisions recorded" in result.stdout
    with connect(tmp_path / "w.duckdb") as con:
        assert con.execute(
            "select record_id_l, record_id_r, decision from review_decision"
        ).fetchall() == [("R1", "R2", "no link")]

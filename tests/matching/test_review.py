"""Clerical review: the uncertain pair goes out without names, the decision comes back."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from matching.link import link_warehouse_run
from matching.review import (
    ReviewFileError,
    import_decisions,
    read_decisions,
    render_review_workbook,
)
from tests.matching.conftest import OLIVER
from tests.matching.test_stable_ids import BILL, WILLIAM

OLIVER_AGAIN = {**OLIVER, "source_person_id": "POL-7"}


def _person_of(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(con.execute("select source_record_id, person_id from person_link").fetchall())


def _decide(workbook: Path, out: Path, decision: str, row: int = 0) -> Path:
    """What a reviewer does: fill in the decision column of a pair and save."""
    from openpyxl import load_workbook  # reading the reviewer's file, as a reviewer would

    book = load_workbook(workbook)
    sheet = book["Pairs"]
    header = [cell.value for cell in sheet[1]]
    sheet.cell(row=row + 2, column=header.index("decision") + 1, value=decision)
    book.save(out)
    return out


def test_uncertain_pair_goes_to_review_without_names_and_a_link_decision_is_honoured(
    person_warehouse: Callable[..., duckdb.DuckDBPyConnection], tmp_path: Path
) -> None:
    con = person_warehouse({"attendance": [{**WILLIAM, "upn": "A100"}], "police": [BILL]})
    first = link_warehouse_run(con, 0.95, outputs=tmp_path / "out")
    assert first.review_pairs == 1
    before = _person_of(con)
    assert before["attendance-b:1"] != before["police-b:1"]

    workbook = tmp_path / "out" / "review-run-1.xlsx"
    pairs = pd.read_excel(workbook, sheet_name="Pairs", dtype=str)
    assert len(pairs) == 1
    pair = pairs.iloc[0]
    assert 0.5 <= float(pair["match_probability"]) < 0.95
    assert (pair["initials_l"], pair["birth_year_l"], pair["postcode_district_l"]) in {
        ("WH", "2012", "MK9"),
        ("BH", "2012", "LU1"),
    }
    assert pair["forename_agrees"] == "nickname"
    assert pair["dob_agrees"] == "within a year"
    assert pair["upn_agrees"] == "missing"
    text = " ".join(str(v) for v in pairs.fillna("").to_numpy().ravel()).lower()
    for personal in ("william", "bill", "hughes", "2012-03-04", "a100", "mk9 2ab"):
        assert personal not in text

    decided = _decide(workbook, tmp_path / "decided.xlsx", "Link")
    assert import_decisions(con, decided) == 1
    second = link_warehouse_run(con, 0.95)
    after = _person_of(con)
    assert after["attendance-b:1"] == after["police-b:1"]
    assert con.execute(
        "select must_links, cannot_links from link_run where run_id = $r", {"r": second.run_id}
    ).fetchall() == [(1, 0)]


def test_a_no_link_decision_splits_a_person_and_the_split_is_recorded(
    person_warehouse: Callable[..., duckdb.DuckDBPyConnection], tmp_path: Path
) -> None:
    con = person_warehouse({"attendance": [{**OLIVER, "upn": "A100"}], "police": [OLIVER_AGAIN]})
    link_warehouse_run(con, 0.95)
    before = _person_of(con)
    assert before["attendance-b:1"] == before["police-b:1"]
    record_ids = [
        r for (r,) in con.execute("select record_id from person_link order by 1").fetchall()
    ]
    decision = pd.DataFrame(
        {"record_id_l": [record_ids[0]], "record_id_r": [record_ids[1]], "decision": ["no link"]}
    )
    decided = tmp_path / "decided.xlsx"
    decided.write_bytes(render_review_workbook(decision))
    import_decisions(con, decided)
    link_warehouse_run(con, 0.95)
    after = _person_of(con)
    assert after["attendance-b:1"] != after["police-b:1"]
    kept = before["attendance-b:1"]
    assert kept in set(after.values())
    changes = con.execute(
        "select run_id, change, kept_id from stable_id_change where kind = 'person'"
    ).fetchall()
    assert changes == [(2, "split", kept)]


def test_a_wrong_decision_is_one_clear_line(tmp_path: Path) -> None:
    path = tmp_path / "decided.xlsx"
    frame = pd.DataFrame(
        {"record_id_l": ["R1", "R3"], "record_id_r": ["R2", "R4"], "decision": ["link", "maybe"]}
    )
    path.write_bytes(render_review_workbook(frame))
    with pytest.raises(ReviewFileError) as error:
        read_decisions(path)
    assert str(error.value) == (
        f"{path}: row 3, column decision: expected 'link', 'no link' or blank"
    )


def test_review_workbook_bytes_do_not_depend_on_when_it_was_written() -> None:
    frame = pd.DataFrame({"record_id_l": ["R1"], "record_id_r": ["R2"], "decision": [None]})
    assert render_review_workbook(frame) == render_review_workbook(frame)

"""Candidate families from households, and the match-quality figures and page."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from matching.link import link_warehouse_run
from matching.quality import pairwise_scores, write_quality_page
from tests.matching.conftest import OLIVER, stage

MUM = {**OLIVER, "forename": "Karen", "dob": "1984-01-20"}
SISTER = {**OLIVER, "forename": "Amelia", "dob": "2014-09-10"}
NEIGHBOUR = {
    **OLIVER,
    "forename": "Dev",
    "surname": "Shah",
    "dob": "1990-05-05",
    "address": "3 High Street",
}


def _families(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, str]]:
    rows = con.execute(
        "select l.source_record_id, f.candidate_family_id, f.basis from candidate_family f"
        " join person_link l using (person_id)"
    ).fetchall()
    return {record: (family, basis) for record, family, basis in rows}


def test_household_ref_address_and_case_roles_give_stable_candidate_families(
    person_warehouse: Callable[..., duckdb.DuckDBPyConnection],
) -> None:
    rows = {
        "housing": [{**MUM, "household_ref": "H1"}, {**NEIGHBOUR, "household_ref": "H2"}],
        "attendance": [{**OLIVER, "upn": "A1"}],
        "police": [{**SISTER, "address": "Flat 9, Elsewhere"}],
        "eh_members": [
            {**MUM, "case_id": "C1", "role": "parent_carer"},
            {**SISTER, "case_id": "C1", "role": "child"},
        ],
    }
    con = person_warehouse(rows)
    link_warehouse_run(con, 0.95)
    first = _families(con)
    family = first["housing-b:1"][0]
    # Oliver shares Mum's address in 2025; Amelia is Mum's child on case C1.
    assert first["attendance-b:1"][0] == family == first["police-b:1"][0]
    assert first["attendance-b:1"][1] == "same_address_same_year"
    assert "parent_child" in first["eh_members-b:2"][1]
    assert "housing-b:2" not in first  # the neighbour: no household shared with anyone

    # Next night the neighbour moves in with the family's household: same family ID.
    rows["housing"][1] = {**NEIGHBOUR, "household_ref": "H1", "address": "1 High Street"}
    stage(con, rows)
    link_warehouse_run(con, 0.95)
    second = _families(con)
    assert second["housing-b:2"][0] == family == second["attendance-b:1"][0]


def test_a_street_address_without_a_postcode_ties_no_one(
    person_warehouse: Callable[..., duckdb.DuckDBPyConnection],
) -> None:
    """ "1 High Street" names a house in many postcodes: a row that lost its postcode (a
    partner's blank field) says nothing about who lives with whom."""
    stranger = {**NEIGHBOUR, "address": OLIVER["address"], "postcode": "MK1 1ZZ"}
    con = person_warehouse(
        {
            "attendance": [{**OLIVER, "upn": "A1", "postcode": None}],
            "police": [{**stranger, "postcode": None}, {**SISTER, "postcode": None}],
            "dwp": [{**stranger, "nino": "AB123456C"}],
        }
    )
    link_warehouse_run(con, 0.95)
    assert _families(con) == {}


def test_pairwise_scores_count_pairs_from_group_sizes() -> None:
    key = ["source", "source_record_id"]
    linked = pd.DataFrame(
        {"source": "s", "source_record_id": list("abcde"), "person_id": ["P1"] * 3 + ["P2"] * 2}
    )
    truth = pd.DataFrame(
        {"source": "s", "source_record_id": list("abcde"), "true_id": ["T1"] * 2 + ["T2"] * 3}
    )
    # Predicted pairs ab ac bc de; true pairs ab cd ce de; both: ab de.
    scores = pairwise_scores(linked, truth, key)
    assert (scores["precision"], scores["recall"]) == (0.5, 0.5)
    assert scores["f1"] == pytest.approx(0.5)


def test_quality_page_has_each_section_and_no_personal_data(
    person_warehouse: Callable[..., duckdb.DuckDBPyConnection], tmp_path: Path
) -> None:
    con = person_warehouse({"attendance": [{**OLIVER, "upn": "A1"}], "police": [OLIVER, MUM]})
    result = link_warehouse_run(con, 0.95, outputs=tmp_path)
    page = (tmp_path / f"match-quality-run-{result.run_id}.html").read_text()
    for heading in (
        "Match weight of scored pairs",
        "People by number of identity records",
        "Model parameters",
        "day and month swapped",
    ):
        assert heading in page
    # Splink's own charts of the model in force, the Vega libraries written in: nothing is
    # fetched from a CDN, so the page opens offline.
    for chart in ("match_weights", "m_u_parameters", "unlinkables"):
        assert f"vegaEmbed(document.getElementById('chart-{chart}')" in page
    assert "<script src=" not in page and "cdn.jsdelivr" not in page
    assert page.count("<script>") == 3 + 3  # three libraries once, three charts
    stored = dict(con.execute("select chart, spec from link_quality_chart").fetchall())
    assert "forename and surname swapped" in stored["m_u_parameters"]
    for personal in ("Oliver", "oliver", "Hughes", "hughes", "2012-03-04", "MK9 2AB", "High"):
        assert personal not in page
    sizes = con.execute(
        "select records, people from link_quality_cluster_size where run_id = 1 order by 1"
    ).fetchall()
    assert sizes == [(1, 1), (2, 1)]
    scored = write_quality_page(
        con, 1, tmp_path / "with-truth.html", {"precision": 1.0, "recall": 0.5, "f1": 0.667}
    ).read_text()
    assert "Against the truth" in scored
